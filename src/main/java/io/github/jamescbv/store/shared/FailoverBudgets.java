package io.github.jamescbv.store.shared;

import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.policy.RefusedLease;
import io.github.jamescbv.policy.RemoteBudgets;
import io.github.jamescbv.policy.SharedStoreHealth;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared {@link RemoteBudgets} that never cost mail when they fail: a client charge has the
 * call bound; a domain slot may be waited for until the caller's deadline plus the call bound.
 * A call that fails or outlasts it is answered by this node's own budgets (its limits then count
 * this node only), with one WARN when it falls back, one INFO when the shared budgets answer a
 * probe again, and the counters for the metrics, as {@link FailoverMemory} does.
 *
 * <p>A slot request still waiting on the shared budgets moves to this node's at once when any
 * call finds them unavailable, with what is left of its deadline. A shared lease granted after
 * the request moved is given back. Leases never throw: a shared lease whose release fails is
 * lost until its lease time, as for a crashed holder.
 */
public final class FailoverBudgets implements RemoteBudgets {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverBudgets.class);
    /** The probe charges this client, from which no mail ever comes ("this host", RFC 1122). */
    private static final Optional<InetAddress> PROBE_CLIENT = probeClient();

    private final RemoteBudgets shared;
    private final RemoteBudgets local;
    private final Ticker ticker;
    private final long callBoundNanos;
    private final SharedHealth health;

    /**
     * @param local     this node's own budgets, which answer while the shared ones do not
     * @param scheduler the bounds' timers, on {@code ticker}'s clock; the caller owns it
     */
    public FailoverBudgets(RemoteBudgets shared, RemoteBudgets local, Ticker ticker, Scheduler scheduler, FailoverBounds bounds) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.local = Objects.requireNonNull(local, "local");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.callBoundNanos = bounds.callBound().toNanos();
        this.health = new SharedHealth("limits", "shared callback limits unavailable, using this node's limits",
            "shared callback limits answer again, limits shared again", LOG, ticker, scheduler, bounds);
    }

    @Override
    public CompletionStage<Optional<String>> chargeClient(Optional<InetAddress> client) {
        if (!useShared()) {
            return locally(() -> local.chargeClient(client), Optional.empty());
        }
        return health.bounded(() -> shared.chargeClient(client)).handle((v, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(v);
            }
            health.failed(e);
            return locally(() -> local.chargeClient(client), Optional.<String>empty());
        }).thenCompose(Function.identity());
    }

    @Override
    public CompletionStage<DomainLease> acquire(String domain, int probes, long deadlineNanos, Duration leaseTime) {
        CompletableFuture<DomainLease> answer = new CompletableFuture<>();
        if (!useShared()) {
            acquireHere(domain, probes, deadlineNanos, leaseTime, answer);
        } else {
            new SharedAcquire(domain, probes, deadlineNanos, leaseTime, answer).start();
        }
        // minimal: a caller that cancels its copy cannot make us grant a slot nobody holds
        return answer.minimalCompletionStage();
    }

    private void acquireHere(String domain, int probes, long deadlineNanos, Duration leaseTime, CompletableFuture<DomainLease> answer) {
        locally(() -> local.acquire(domain, probes, deadlineNanos, leaseTime),
            (DomainLease) new RefusedLease("callback limits failed"))
            .whenComplete((lease, e) -> {
                DomainLease l = e == null ? lease : new RefusedLease("callback limits failed");
                if (!answer.complete(l)) {
                    l.release();
                }
            });
    }

    @Override
    public int waiting() {
        int n = 0;
        for (RemoteBudgets b : List.of(shared, local)) {
            try {
                n += b.waiting();
            } catch (RuntimeException e) {
                LOG.debug("callback limits could not count their waiters", e);
            }
        }
        return n;
    }

    @Override
    public void close() {
        for (RemoteBudgets b : List.of(shared, local)) {
            try {
                b.close();
            } catch (RuntimeException e) {
                LOG.warn("closing callback limits failed", e);
            }
        }
    }

    /** Whether the shared store answers and how often this node fell back, for the metrics. */
    public SharedStoreHealth health() {
        return health;
    }

    private boolean useShared() {
        return health.useShared(() -> shared.chargeClient(PROBE_CLIENT));
    }

    private static <T> CompletionStage<T> locally(Supplier<? extends CompletionStage<T>> here, T otherwise) {
        try {
            return here.get().exceptionally(e -> otherwise);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(otherwise);
        }
    }

    private static Optional<InetAddress> probeClient() {
        try {
            return Optional.of(InetAddress.getByAddress(new byte[4]));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("0.0.0.0 is an address", e);
        }
    }

    /** One slot request on the shared budgets, moved here should they fail or stall. */
    private final class SharedAcquire {
        private final String domain;
        private final int probes;
        private final long deadlineNanos;
        private final Duration leaseTime;
        private final CompletableFuture<DomainLease> answer;
        private final AtomicBoolean movedHere = new AtomicBoolean();
        private final Runnable onDegraded = this::moveHere;

        SharedAcquire(String domain, int probes, long deadlineNanos, Duration leaseTime, CompletableFuture<DomainLease> answer) {
            this.probes = probes;
            this.domain = domain;
            this.deadlineNanos = deadlineNanos;
            this.leaseTime = leaseTime;
            this.answer = answer;
        }

        void start() {
            health.whenDegraded(onDegraded);
            answer.whenComplete((l, e) -> health.forget(onDegraded));
            // the shared budgets may rightly hold the request until its deadline; a bound past it
            long bound = Math.max(0, deadlineNanos - ticker.nanoTime()) + callBoundNanos;
            health.bounded(() -> shared.acquire(domain, probes, deadlineNanos, leaseTime), bound).whenComplete((lease, e) -> {
                if (e == null) {
                    DomainLease safe = new SafeLease(lease, health);
                    if (!answer.complete(safe)) {
                        safe.release(); // moved here meanwhile: nobody will hold this one
                    }
                } else {
                    health.failed(e);
                    moveHere();
                }
            });
        }

        private void moveHere() {
            if (!answer.isDone() && movedHere.compareAndSet(false, true)) {
                acquireHere(domain, probes, deadlineNanos, leaseTime, answer);
            }
        }
    }
}
