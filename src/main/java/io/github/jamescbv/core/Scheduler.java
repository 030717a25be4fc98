package io.github.jamescbv.core;

/**
 * Runs a task once after a delay measured on the same clock as the {@link Ticker} it is used
 * with. The limits only ever need one-shot timers (deadlines, the moment a rate window frees,
 * the idle sweep), so this is all they ask for; tests supply a hand-driven one.
 */
@FunctionalInterface
public interface Scheduler {

    /**
     * @param delayNanos how long from now; 0 or less runs it as soon as possible
     * @return a handle to cancel the task; cancelling a task that already ran is a no-op
     * @throws java.util.concurrent.RejectedExecutionException when the scheduler is shut down
     */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task that may be called off. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
