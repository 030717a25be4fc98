package io.github.jamescbv.policy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What protects the remotes from us: per called-back domain at most {@code perDomainConcurrent}
 * callbacks at once and {@code perDomainRate} probes ({@code RCPT TO}s) a minute, and per connecting client
 * {@code perClientRate} new callbacks a minute ({@link LimitSettings}). Unlike the
 * {@link ProcessCapacity}, which counts this process only, these budgets are the remote's, so
 * several nodes may share one store of them.
 *
 * <p><b>Leases.</b> A domain slot is held under a lease: {@link DomainLease#release()} gives it
 * back, and a holder that dies without releasing (a node that crashed) loses it once the lease
 * time has passed, so a shared budget cannot leak away. The lease time is the longest a
 * callback may run (its total timeout) plus a margin. In one process the holder and the budget
 * die together, so an in-memory budget needs nothing but the release.
 *
 * <p><b>An unavailable store</b> is not an exception to the callers. A shared store that cannot
 * be asked fails its stages, and the failover in front of it answers with this node's own
 * budgets ({@code store.shared.FailoverBudgets}); the budgets a guard holds never fail. Should a
 * stage fail all the same, callers refuse the domain slot with a reason (as Postfix's verify
 * answers "status unavailable": {@code transient}, stage {@code policy}) and let the client
 * through (the other limits still hold), with a WARN.
 *
 * <p>Thread-safe and non-blocking: a request that must wait gets a stage completed later, never
 * a blocked thread; callers must not block on it either.
 */
public interface RemoteBudgets extends AutoCloseable {

    /**
     * Charges one new callback to {@code client}'s per-minute budget.
     *
     * @return empty when allowed (always for an absent client); otherwise the reason it is refused
     *         (e.g. "client 192.0.2.7 exceeded 20 new callbacks per minute"), already logged at most
     *         once per minute per client
     */
    CompletionStage<Optional<String>> chargeClient(Optional<InetAddress> client);

    /**
     * Waits (without a thread), in a FIFO line per domain, for a slot and {@code probes} rate tokens of
     * {@code domain}, until {@code deadlineNanos} (on the budgets' {@link io.github.jamescbv.core.Ticker}).
     * A refusal names what it waited for, e.g. "domain example.com: 2 callbacks already in flight",
     * "domain example.com: rate of 30 per minute reached", with " (too many requests waiting)"
     * when refused at once because the line is full, "no domain to call back", "callback limits closed".
     * A request of more probes than {@code perDomainRate} is refused at once
     * ({@link Limit#domainRateTooLow}): no minute could ever hold it, and waiting for one would
     * only hold up the requests behind it.
     *
     * @param domain    the domain to be called back (after the domain map); case and a final dot do not matter
     * @param probes    the {@code RCPT TO}s the callback may send at most (the address and each domain
     *                  check it may ask), all charged when it starts: the rate bounds what the remote sees
     * @param leaseTime how long the slot stays taken should its holder never release it
     */
    CompletionStage<DomainLease> acquire(String domain, int probes, long deadlineNanos, Duration leaseTime);

    /** {@link #acquire(String, int, long, Duration)} for a callback of one probe. */
    default CompletionStage<DomainLease> acquire(String domain, long deadlineNanos, Duration leaseTime) {
        return acquire(domain, 1, deadlineNanos, leaseTime);
    }

    /** Requests of this process waiting for a domain now (gauge). */
    int waiting();

    /** Refuses everyone waiting and every later request ("callback limits closed"); held leases may still be released. */
    @Override
    void close();

    /**
     * A domain slot with its rate tokens, granted or refused. The tokens are only reserved until
     * {@link #started()}: a request that never starts (no process slot before its deadline) gives
     * them back with the slot, so the rate counts the probes of callbacks started, at the moment they
     * start. Conservative: a callback that ends before its domain checks (an error, a transient)
     * sent fewer probes than it was charged for, and keeps them charged.
     */
    interface DomainLease extends Admission {
        /** When a holder that died loses the slot, in wall-clock epoch milliseconds; 0 for a refusal. */
        long expiresAtMillis();

        /** The callback starts now: its rate tokens count from this moment. Once; a no-op for a refusal. */
        void started();

        /** Gives back the slot (and the tokens if never started); idempotent; a no-op for a refusal. */
        @Override
        void release();
    }
}
