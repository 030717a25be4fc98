package io.github.jamescbv.policy;

import io.github.jamescbv.policy.RemoteBudgets.DomainLease;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room for one new callback: a lease on a slot of its domain from the {@link RemoteBudgets},
 * then a slot of the {@link ProcessCapacity}.
 *
 * <h2>Order of acquisition, and why</h2>
 * Domain first (slot and rate tokens together), process slot last. A request held up by a busy
 * domain so holds nothing that requests for other domains could use: a hot domain cannot fill
 * the process slots with requests that are only waiting. The converse, a request holding its
 * domain slot while it waits for a process slot, costs nothing to anyone: the only requests that
 * would want that domain slot are for the same domain, and they would be behind it in the
 * process line anyway. Resources are always taken in this one order and never held while
 * waiting for an earlier one, so there is no deadlock; both lines are FIFO and every wait is
 * bounded by the deadline, so nobody starves. The rate tokens are reserved with the domain slot,
 * keeping the request's place, but only counted when the callback actually starts, and given
 * back if it never does.
 *
 * <p>A newcomer that the process would refuse at once (closed, or every slot taken and its line
 * full) is refused before anything is asked of the budgets, which may be a remote store. On
 * release the process slot goes back first, to the head of its line (it has waited longest),
 * then the domain slot, whose next waiter joins that line behind it.
 *
 * <p>Every outcome is a granted-or-refused {@link Admission}, never an exceptional stage: a
 * budget store that fails refuses the callback ("internal error in callback limits: ..."), with
 * a WARN.
 */
public final class Admissions {
    private static final Logger LOG = LoggerFactory.getLogger(Admissions.class);

    private final RemoteBudgets budgets;
    private final ProcessCapacity capacity;

    public Admissions(RemoteBudgets budgets, ProcessCapacity capacity) {
        this.budgets = budgets;
        this.capacity = capacity;
    }

    /** {@link #admit(String, int, long, Duration)} for a callback of one probe. */
    public CompletionStage<Admission> admit(String domain, long deadlineNanos, Duration leaseTime) {
        return admit(domain, 1, deadlineNanos, leaseTime);
    }

    /**
     * @param probes        the {@code RCPT TO}s the callback may send at most, charged to the domain's rate
     * @param deadlineNanos waiting ends there (on the limits' {@link io.github.jamescbv.core.Ticker}),
     *                      but a request that needs no wait is granted even when it has passed
     * @param leaseTime     how long a domain slot stays taken should this process die holding it
     */
    public CompletionStage<Admission> admit(String domain, int probes, long deadlineNanos, Duration leaseTime) {
        String refusedAtOnce = capacity.refusesNewcomers();
        if (refusedAtOnce != null) {
            return CompletableFuture.completedFuture(Admission.refused(refusedAtOnce));
        }
        CompletionStage<DomainLease> lease;
        try {
            lease = budgets.acquire(domain, probes, deadlineNanos, leaseTime);
        } catch (RuntimeException e) {
            lease = CompletableFuture.failedFuture(e);
        }
        return lease.handle((l, e) -> e == null ? l : unavailable(e))
            .thenCompose(l -> l.granted() ? withProcessSlot(l, deadlineNanos)
                : CompletableFuture.completedFuture(Admission.refused(l.reason())))
            // minimal: a caller that cancelled it would leave a grant that nobody releases
            .toCompletableFuture().minimalCompletionStage();
    }

    private CompletionStage<Admission> withProcessSlot(DomainLease lease, long deadlineNanos) {
        CompletionStage<Admission> slot;
        try {
            slot = capacity.admit(deadlineNanos);
        } catch (RuntimeException e) {
            lease.release();
            throw e;
        }
        return slot.thenApply(s -> {
            if (!s.granted()) {
                lease.release(); // never started: its rate token comes back with it
                return s;
            }
            Both both = new Both(s, lease);
            try {
                lease.started();
            } catch (RuntimeException e) {
                // nobody would release a refused admission: give both slots back here
                return giveBackRefused(both, e);
            }
            return both;
        });
    }

    private static Admission giveBackRefused(Both both, RuntimeException e) {
        try {
            both.release();
        } catch (RuntimeException x) {
            e.addSuppressed(x);
        }
        return Admission.refused(failed(e));
    }

    private static DomainLease unavailable(Throwable e) {
        return new RefusedLease(failed(e));
    }

    /** Logs the budgets' failure; the refusal's reason names it. */
    private static String failed(Throwable e) {
        LOG.warn("callback budgets failed; refusing the callback", e);
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return "internal error in callback limits: " + cause.getClass().getSimpleName();
    }

    /** A granted admission: both slots, the process slot given back first. */
    private static final class Both extends Grant {
        private final Admission slot;
        private final DomainLease lease;

        Both(Admission slot, DomainLease lease) {
            this.slot = slot;
            this.lease = lease;
        }

        @Override
        protected void giveBack() {
            try {
                slot.release();
            } finally {
                lease.release();
            }
        }
    }
}
