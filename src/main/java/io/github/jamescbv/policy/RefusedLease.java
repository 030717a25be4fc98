package io.github.jamescbv.policy;

import io.github.jamescbv.policy.RemoteBudgets.DomainLease;

/** A refused {@link DomainLease}: a {@link Refusal} with no expiry and nothing to start. */
public final class RefusedLease extends Refusal implements DomainLease {

    public RefusedLease(String reason) {
        super(reason);
    }

    @Override
    public long expiresAtMillis() {
        return 0;
    }

    @Override
    public void started() {
    }
}
