package io.github.jamescbv.core;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that runs short timer tasks on real time: the deadlines and rate windows of
 * the callback limits, the engine's safety net. Daemon: timers someone forgot to close must not
 * keep the JVM alive. The tasks are short (take a lock, update counters, complete futures), so
 * one thread is enough.
 */
public final class DaemonScheduler implements Scheduler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonScheduler.class);

    private final ScheduledThreadPoolExecutor executor;
    /** Named in the log: several schedulers (the limits', the engine's cbv-timer) share this class. */
    private final String threadName;

    public DaemonScheduler(String threadName) {
        this.threadName = threadName;
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        // Almost every deadline is cancelled because its request was granted first; without this
        // the cancelled tasks would stay in the queue until their time came.
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = executor.schedule(() -> runLogged(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    /** An exception would otherwise vanish into the task's future unseen. */
    private void runLogged(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("timer task of {} failed", threadName, e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
