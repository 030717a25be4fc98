package io.github.jamescbv.policy;

/**
 * A refused {@link Admission}: holds nothing, so release() has nothing to do. Open only to
 * {@link RefusedLease}, which is the same refusal typed as a domain lease.
 */
class Refusal implements Admission {
    private final String reason;

    Refusal(String reason) {
        this.reason = reason;
    }

    @Override
    public final boolean granted() {
        return false;
    }

    @Override
    public final String reason() {
        return reason;
    }

    @Override
    public final void release() {
    }

    @Override
    public final String toString() {
        return "refused: " + reason;
    }
}
