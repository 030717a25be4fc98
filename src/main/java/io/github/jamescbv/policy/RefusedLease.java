package io.github.jamescbv.policy;

import io.github.jamescbv.policy.RemoteBudgets.DomainLease;

/** A refused {@link DomainLease} or {@link Admission}: holds nothing, so started() and release() have nothing to do. */
public final class RefusedLease implements DomainLease {
    private final String reason;

    public RefusedLease(String reason) {
        this.reason = reason;
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
    public long expiresAtMillis() {
        return 0;
    }

    @Override
    public void started() {
    }

    @Override
    public void release() {
    }

    @Override
    public String toString() {
        return "refused: " + reason;
    }
}
