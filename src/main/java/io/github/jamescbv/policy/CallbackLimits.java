package io.github.jamescbv.policy;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Admission control for new callbacks (cache hits and joins of a callback already in flight
 * never come here). Thread-safe and non-blocking: a request that must wait gets a stage that
 * completes later, never a blocked thread.
 */
public interface CallbackLimits {

    /**
     * Charges one new callback to {@code client}'s per-minute budget.
     *
     * @return empty when allowed; otherwise the reason it is refused (e.g. "client 192.0.2.7 exceeded
     *         20 new callbacks per minute"), already logged at most once per minute per client
     */
    Optional<String> chargeClient(Optional<InetAddress> client);

    /**
     * Waits (without a thread) for a process-wide slot and a slot and rate token of
     * {@code domain}, until {@code deadlineNanos} ({@link System#nanoTime()} based).
     * Never completes exceptionally.
     */
    CompletionStage<Admission> admit(String domain, long deadlineNanos);

    /** The outcome of {@link #admit}: granted (release it when the callback ends) or refused with a reason. */
    interface Admission {
        boolean granted();

        /** Why it was refused, e.g. "verification capacity exceeded"; "" when granted. */
        String reason();

        /** Gives back what was granted; idempotent; a no-op for a refusal. */
        void release();
    }
}
