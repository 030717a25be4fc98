package io.github.jamescbv.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes waiters' futures after a lock is let go, so that whatever the caller chained onto
 * them never runs under that lock. Used by the process capacity and by the in-memory budgets.
 *
 * <p>Completing a future runs its dependents on the spot, and a dependent may well call
 * {@code release()}, which frees a slot, which grants the next waiter, whose dependent
 * releases at once (a callback that fails synchronously), and so on down the queue. Done
 * naively that recursion is as deep as the queue is long. So completion is trampolined per
 * thread: completions asked for while this thread is already completing are queued and run by
 * the outermost loop.
 */
public final class Completions {
    private static final Logger LOG = LoggerFactory.getLogger(Completions.class);

    private final ThreadLocal<ArrayDeque<Runnable>> running = new ThreadLocal<>();

    /** Runs the batch now, or soon on this thread when it is already completing further up the stack. */
    public void complete(Batch batch) {
        if (batch.tasks.isEmpty()) {
            return;
        }
        ArrayDeque<Runnable> queue = running.get();
        if (queue != null) {
            queue.addAll(batch.tasks);
            return;
        }
        queue = new ArrayDeque<>(batch.tasks);
        running.set(queue);
        try {
            Runnable r;
            while ((r = queue.poll()) != null) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    // CompletableFuture keeps dependents' exceptions in their own stages; this is belt and braces
                    LOG.warn("completing a callback admission failed", e);
                }
            }
        } finally {
            running.remove();
        }
    }

    /** Completions decided under the lock, to run once it is released. */
    public static final class Batch {
        private final List<Runnable> tasks = new ArrayList<>(2);

        /**
         * @param giveBack what to do with {@code grant} when the future was already completed (only
         *                 after an internal failure refused it): nobody will ever release it, so give it
         *                 back at once rather than leak what it holds
         */
        public <T> void grant(CompletableFuture<T> future, T grant, Consumer<T> giveBack) {
            tasks.add(() -> {
                if (!future.complete(grant)) {
                    giveBack.accept(grant);
                }
            });
        }

        public <T> void refuse(CompletableFuture<T> future, T refusal) {
            tasks.add(() -> future.complete(refusal));
        }

        /** A store that could not be asked: the caller's failover decides (see RemoteBudgets). */
        public <T> void fail(CompletableFuture<T> future, Throwable why) {
            tasks.add(() -> future.completeExceptionally(why));
        }
    }
}
