package io.github.jamescbv.policy;

import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.core.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What protects this process: at most {@code maxConcurrent} callbacks in flight here, with a
 * FIFO line of at most {@code maxQueued} requests waiting for one, each until its deadline.
 * Always local, whatever store the remote budgets live in: it counts this JVM's sockets and
 * threads, which no other node shares.
 *
 * <p>Thread-safe, never blocks: a request that must wait gets a stage completed later (by a
 * release, on the releasing thread, or by the timer at its deadline), after the lock is let go.
 */
public final class ProcessCapacity implements AutoCloseable {
    public static final String CAPACITY_EXCEEDED = "verification capacity exceeded";
    static final String CAPACITY_DEADLINE = CAPACITY_EXCEEDED + " (no free slot before the deadline)";
    /** Said by the capacity and by the budgets once closed. */
    public static final String CLOSED = "callback limits closed";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessCapacity.class);

    private final Ticker ticker;
    private final Scheduler scheduler;
    private final Completions completions = new Completions();
    private final Object lock = new Object();
    // guarded by lock
    private final ConcurrencyQueue<Waiter> slots;
    private boolean closed;

    /**
     * @param ticker    the clock of the deadlines ({@link Ticker#SYSTEM} in production)
     * @param scheduler the deadline timers, on the same clock; the caller owns it
     */
    public ProcessCapacity(LimitSettings settings, Ticker ticker, Scheduler scheduler) {
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.slots = new ConcurrencyQueue<>(settings.maxConcurrent(), settings.maxQueued());
    }

    /**
     * Whether a newcomer would be refused at once ({@link #CLOSED}, or {@link #CAPACITY_EXCEEDED}:
     * every slot taken and the line full), so that nothing is asked of the remote budgets for it.
     *
     * @return the refusal reason, or null when it may try
     */
    String refusesNewcomers() {
        synchronized (lock) {
            if (closed) {
                return CLOSED;
            }
            return slots.saturated() ? CAPACITY_EXCEEDED : null;
        }
    }

    /**
     * A slot now, or a place in the line until {@code deadlineNanos} (on this object's
     * {@link Ticker}); a request that needs no wait is granted even when its deadline has passed.
     * Never completes exceptionally.
     */
    public CompletionStage<Admission> admit(long deadlineNanos) {
        CompletableFuture<Admission> future = new CompletableFuture<>();
        Completions.Batch batch = new Completions.Batch();
        try {
            synchronized (lock) {
                admitLocked(new Waiter(deadlineNanos, future), batch);
            }
        } catch (RuntimeException e) {
            LOG.warn("callback limits failed; refusing the callback", e);
            batch.refuse(future, Admission.refused("internal error in callback limits: " + e.getClass().getSimpleName()));
        }
        completions.complete(batch);
        // minimal: a caller cannot complete or cancel our future and so corrupt the bookkeeping
        return future.minimalCompletionStage();
    }

    private void admitLocked(Waiter w, Completions.Batch batch) {
        if (closed) {
            batch.refuse(w.future, Admission.refused(CLOSED));
            return;
        }
        if (slots.tryAcquire()) {
            grant(w, batch);
            return;
        }
        long left = w.deadline - ticker.nanoTime();
        if (left > 0) {
            w.deadlineTimer = scheduler.schedule(() -> expire(w), left);
            if (slots.offer(w)) {
                return;
            }
            w.cancelTimer();
        }
        batch.refuse(w.future, Admission.refused(left > 0 ? CAPACITY_EXCEEDED : CAPACITY_DEADLINE));
    }

    private void grant(Waiter w, Completions.Batch batch) {
        w.cancelTimer();
        batch.grant(w.future, new Slot(), Admission::release);
    }

    /** {@code w}'s deadline has come; it may have been served meanwhile. */
    private void expire(Waiter w) {
        Completions.Batch batch = new Completions.Batch();
        synchronized (lock) {
            if (slots.remove(w)) {
                w.deadlineTimer = null;
                batch.refuse(w.future, Admission.refused(CAPACITY_DEADLINE));
            }
        }
        completions.complete(batch);
    }

    private void release() {
        Completions.Batch batch = new Completions.Batch();
        try {
            synchronized (lock) {
                slots.release();
                // the freed slot goes to the head of the line: it has waited longest
                Waiter next;
                while ((next = slots.pollIfFree()) != null) {
                    grant(next, batch);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("callback limits failed to release a callback", e);
        }
        completions.complete(batch);
    }

    /** Refuses everyone waiting ({@value #CLOSED}) and every later request. Granted slots may still be released. */
    @Override
    public void close() {
        Completions.Batch batch = new Completions.Batch();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (Waiter w : slots.drain()) {
                w.cancelTimer();
                batch.refuse(w.future, Admission.refused(CLOSED));
            }
        }
        completions.complete(batch);
    }

    /** Callbacks holding a slot now (gauge). */
    public int inFlight() {
        synchronized (lock) {
            return slots.inFlight();
        }
    }

    /** Requests waiting for a slot now (gauge); at most {@code maxQueued}. */
    public int queued() {
        synchronized (lock) {
            return slots.queued();
        }
    }

    /** One call of {@link #admit} waiting in the line; guarded by the lock. */
    private static final class Waiter {
        final long deadline;
        final CompletableFuture<Admission> future;
        Scheduler.Cancellable deadlineTimer;

        Waiter(long deadline, CompletableFuture<Admission> future) {
            this.deadline = deadline;
            this.future = future;
        }

        void cancelTimer() {
            if (deadlineTimer != null) {
                deadlineTimer.cancel();
                deadlineTimer = null;
            }
        }
    }

    /** A granted slot. */
    private final class Slot extends Grant {
        @Override
        protected void giveBack() {
            ProcessCapacity.this.release();
        }
    }
}
