package io.github.jamescbv.testing;

import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.core.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Time that moves only when a test says so: a {@link Ticker} (both its readings) and a
 * {@link Scheduler} on the same clock. {@link #advance} runs every task that falls due on the
 * way, in time order, each at its own moment. The monotonic reading starts close to the
 * wrap-around of a long so that any comparison not done by subtraction shows up; the wall clock
 * starts at {@link #WALL_START} and moves with it.
 */
public final class ManualClock implements Ticker, Scheduler {
    public static final long WALL_START = 1_700_000_000_000L;
    private static final long NANOS_START = Long.MAX_VALUE - Duration.ofMinutes(5).toNanos();

    private long now = NANOS_START;
    private long sequence;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> {
        long d = a.at - b.at;
        return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(a.sequence, b.sequence);
    });

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    /** Whole milliseconds elapsed on this clock since {@link #WALL_START}. */
    @Override
    public synchronized long wallMillis() {
        return WALL_START + Math.floorDiv(now - NANOS_START, 1_000_000L);
    }

    /** A deadline {@code d} from now. */
    public synchronized long in(Duration d) {
        return now + d.toNanos();
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), sequence++, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualClock.this) {
                tasks.remove(t);
            }
        };
    }

    /** Moves time forward by {@code d}, running the tasks due meanwhile (outside this clock's lock). */
    public void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.at - target > 0) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = next.at;
            }
            next.task.run();
        }
    }

    /** Tasks scheduled and neither run nor cancelled. */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    private static final class Task {
        final long at;
        final long sequence;
        final Runnable task;

        Task(long at, long sequence, Runnable task) {
            this.at = at;
            this.sequence = sequence;
            this.task = task;
        }
    }
}
