package io.github.jamescbv.policy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Budgets whose granted leases do their work and then throw, at started() or at release(): a
 * store that fails half-way through, to show that nothing is left held or incomplete after it.
 */
final class FaultyLeases implements RemoteBudgets {
    enum Fault { STARTED, RELEASE }

    private final RemoteBudgets inner;
    private final Fault fault;

    FaultyLeases(RemoteBudgets inner, Fault fault) {
        this.inner = inner;
        this.fault = fault;
    }

    @Override
    public CompletionStage<Optional<String>> chargeClient(Optional<InetAddress> client) {
        return inner.chargeClient(client);
    }

    @Override
    public CompletionStage<DomainLease> acquire(String domain, long deadlineNanos, Duration leaseTime) {
        return inner.acquire(domain, deadlineNanos, leaseTime).thenApply(l -> l.granted() ? new Faulty(l) : l);
    }

    @Override
    public int waiting() {
        return inner.waiting();
    }

    @Override
    public void close() {
        inner.close();
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
