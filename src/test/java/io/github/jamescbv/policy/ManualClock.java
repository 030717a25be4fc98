package io.github.jamescbv.policy;

import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Scheduler;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Time that moves only when a test says so: a {@link Ticker} and a {@link Scheduler} on the same
 * clock. {@link #advance} runs every task that falls due on the way, in time order, each at its
 * own moment. Starts close to the wrap-around of a long so that any comparison not done by
 * subtraction shows up.
 */
final class ManualClock implements Ticker, Scheduler {
    private long now = Long.MAX_VALUE - Duration.ofMinutes(5).toNanos();
    private long sequence;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> {
        long d = a.at - b.at;
        return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(a.sequence, b.sequence);
    });

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    /** A deadline {@code d} from now. */
    synchronized long in(Duration d) {
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
    void advance(Duration d) {
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
    synchronized int pendingTasks() {
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
