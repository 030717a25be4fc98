package io.github.jamescbv.policy;

/**
 * What the {@link GuardedVerifier} tells whoever counts for the operators (in James: the metrics,
 * which the WebAdmin statistics read too). Called on whatever thread answers; must be cheap and
 * must not throw.
 */
public interface GuardEvents {
    /** Nobody counts (the command line, unit tests). */
    GuardEvents NONE = new GuardEvents() {
        @Override
        public void hit() {
        }

        @Override
        public void miss() {
        }

        @Override
        public void joined() {
        }

        @Override
        public void refused(Limit limit) {
        }
    };

    /** Answered from memory: the address's own verdict or its domain's, without a callback. */
    void hit();

    /** Nothing in memory and no callback in flight: this request claimed the callback (a limit may still refuse it). */
    void miss();

    /** Nothing in memory, but a callback for the address was in flight: the request joined it. */
    void joined();

    /** A callback refused by a limit: {@code transient}, stage policy. */
    void refused(Limit limit);
}
