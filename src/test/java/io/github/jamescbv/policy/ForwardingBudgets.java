package io.github.jamescbv.policy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Budgets that pass everything on to others: tests override the one step they watch or spoil. */
public abstract class ForwardingBudgets implements RemoteBudgets {
    protected final RemoteBudgets inner;

    protected ForwardingBudgets(RemoteBudgets inner) {
        this.inner = inner;
    }

    @Override
    public CompletionStage<Optional<String>> chargeClient(Optional<InetAddress> client) {
        return inner.chargeClient(client);
    }

    @Override
    public CompletionStage<DomainLease> acquire(String domain, int probes, long deadlineNanos, Duration leaseTime) {
        return inner.acquire(domain, probes, deadlineNanos, leaseTime);
    }

    @Override
    public int waiting() {
        return inner.waiting();
    }

    @Override
    public void close() {
        inner.close();
    }
}
