package io.github.jamescbv.store.shared;

import io.github.jamescbv.policy.RemoteBudgets.DomainLease;

/**
 * A shared store's lease that never throws: a start or a release the store loses counts as the
 * store failing; the slot then comes back by itself at its lease time, as a crashed holder's does.
 */
final class SafeLease implements DomainLease {
    private final DomainLease lease;
    private final SharedHealth health;

    SafeLease(DomainLease lease, SharedHealth health) {
        this.lease = lease;
        this.health = health;
    }

    @Override
    public boolean granted() {
        return lease.granted();
    }

    @Override
    public String reason() {
        return lease.reason();
    }

    @Override
    public long expiresAtMillis() {
        return lease.expiresAtMillis();
    }

    @Override
    public void started() {
        try {
            lease.started();
        } catch (RuntimeException e) {
            health.failed(e);
        }
    }

    @Override
    public void release() {
        try {
            lease.release();
        } catch (RuntimeException e) {
            health.failed(e);
        }
    }

    @Override
    public String toString() {
        return lease.toString();
    }
}
