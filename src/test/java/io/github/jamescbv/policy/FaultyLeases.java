package io.github.jamescbv.policy;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Budgets whose granted leases do their work and then throw, at started() or at release(): a
 * store that fails half-way through, to show that nothing is left held or incomplete after it.
 */
final class FaultyLeases extends ForwardingBudgets {
    enum Fault { STARTED, RELEASE }

    private final Fault fault;

    FaultyLeases(RemoteBudgets inner, Fault fault) {
        super(inner);
        this.fault = fault;
    }

    @Override
    public CompletionStage<DomainLease> acquire(String domain, int probes, long deadlineNanos, Duration leaseTime) {
        return inner.acquire(domain, probes, deadlineNanos, leaseTime).thenApply(l -> l.granted() ? new Faulty(l) : l);
    }

    private final class Faulty implements DomainLease {
        private final DomainLease lease;

        Faulty(DomainLease lease) {
            this.lease = lease;
        }

        @Override
        public boolean granted() {
            return true;
        }

        @Override
        public String reason() {
            return "";
        }

        @Override
        public long expiresAtMillis() {
            return lease.expiresAtMillis();
        }

        @Override
        public void started() {
            lease.started();
            if (fault == Fault.STARTED) {
                throw new IllegalStateException("store lost the start");
            }
        }

        @Override
        public void release() {
            lease.release();
            if (fault == Fault.RELEASE) {
                throw new IllegalStateException("store lost the release");
            }
        }
    }
}
