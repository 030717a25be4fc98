package io.github.jamescbv.policy;

import io.github.jamescbv.policy.CallbackLimits.Admission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes admission futures after the limits' lock is let go, so that whatever the caller
 * chained onto them never runs under our lock.
 *
 * <p>Completing a future runs its dependents on the spot, and a dependent may well call
 * {@code release()}, which frees a slot, which grants the next waiter, whose dependent
 * releases at once (a callback that fails synchronously), and so on down the queue. Done
 * naively that recursion is as deep as the queue is long. So completion is trampolined per
 * thread: completions asked for while this thread is already completing are queued and run by
 * the outermost loop.
 */
final class Completions {
    private static final Logger LOG = LoggerFactory.getLogger(Completions.class);

    private final ThreadLocal<ArrayDeque<Runnable>> running = new ThreadLocal<>();

    /** Runs the batch now, or soon on this thread when it is already completing further up the stack. */
    void complete(Batch batch) {
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
    static final class Batch {
        private final List<Runnable> tasks = new ArrayList<>(2);

        void grant(CompletableFuture<Admission> future, Admission grant) {
            tasks.add(() -> {
                // Already completed (only after an internal failure refused it): nobody will ever
                // release this grant, so give it back at once rather than leak the slots.
                if (!future.complete(grant)) {
                    grant.release();
                }
            });
        }

        void refuse(CompletableFuture<Admission> future, String reason) {
            Admission refusal = Refusal.of(reason);
            tasks.add(() -> future.complete(refusal));
        }
    }

    /** A refused admission: holds nothing, so release() has nothing to do. */
    static final class Refusal implements Admission {
        private final String reason;

        private Refusal(String reason) {
            this.reason = reason;
        }

        static Admission of(String reason) {
            return new Refusal(reason);
        }

        @Override
        public boolean granted() {
            return false;
        }

        @Override
        public String reason() {
            return reason;
        }

        @Override
        public void release() {
        }

        @Override
        public String toString() {
            return "refused: " + reason;
        }
    }
}
