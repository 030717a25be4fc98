package io.github.jamescbv.store.memory;

import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.policy.Completions;
import io.github.jamescbv.policy.GrantedDomainLease;
import io.github.jamescbv.policy.Limit;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.ProcessCapacity;
import io.github.jamescbv.policy.RefusedLease;
import io.github.jamescbv.policy.RemoteBudgets;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote budgets of {@link LimitSettings} in one process, without a thread ever waiting.
 *
 * <h2>What a callback needs of its domain</h2>
 * <ol>
 * <li>A <b>slot</b>: at most {@code perDomainConcurrent} callbacks in flight to one domain (the
 *     domain as called back, lower case, without a final dot).</li>
 * <li><b>Rate tokens</b>, one per probe ({@code RCPT TO}) the callback may send: at most
 *     {@code perDomainRate} probes charged to one domain in any sliding minute, counted exactly
 *     from the start times (see {@link StartWindow}). Tokens are never given back: a rate counts
 *     starts, not callbacks in flight. A request of more probes than the rate is refused at once.</li>
 * </ol>
 * A request that cannot have both waits in that domain's FIFO line until its deadline at the
 * latest, with a refusal naming what it waited for. Slot and tokens are taken together; the
 * tokens are reserved, keeping the request's place while it waits for a process slot
 * ({@link ProcessCapacity}), and only stamped when the callback actually starts
 * ({@link DomainLease#started()}), or given back with the slot if it never does.
 *
 * <h2>Refusals</h2>
 * "domain example.com: 2 callbacks already in flight" or "domain example.com: rate of 30 per
 * minute reached": waited for the domain until its deadline (at once when the deadline has
 * already passed), with {@value #TOO_MANY_WAITING} when refused at once because the domain's
 * line already holds {@code maxQueued} requests, or all domains' lines together
 * {@value #DOMAIN_WAITERS_PER_QUEUE_SLOT} times that; {@value ProcessCapacity#CLOSED} after
 * {@link #close()}. With {@code maxQueued} 0 nobody waits at all.
 *
 * <h2>Leases</h2>
 * The holder of a lease is this process, which dies with the budget: a lease ends with its
 * release, as it always did here; its lease time only gives {@link DomainLease#expiresAtMillis()}.
 *
 * <h2>Threads</h2>
 * Waiters are futures, completed by a release (on the releasing thread) or by the timer
 * (deadlines, a rate window freeing), after our lock is let go, so what a caller chains onto
 * them never runs under it.
 *
 * <h2>Memory</h2>
 * At most {@code maxQueued} requests wait for any one domain and
 * {@value #DOMAIN_WAITERS_PER_QUEUE_SLOT} times {@code maxQueued} for all domains; a domain's
 * state is dropped once nothing is in flight, nobody waits and its last start is a minute old;
 * client state is bounded as told in {@link ClientRateLimiter}. An idle sweep runs every minute.
 */
public final class InMemoryBudgets implements RemoteBudgets {
    static final String TOO_MANY_WAITING = " (too many requests waiting)";
    /** All domains' lines together hold at most this many times {@code maxQueued}: room for a few hot domains at once. */
    static final int DOMAIN_WAITERS_PER_QUEUE_SLOT = 4;
    static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryBudgets.class);

    private final LimitSettings settings;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final ClientRateLimiter clients;
    private final Completions completions = new Completions();
    private final int maxDomainWaiters;

    private final Object lock = new Object();
    // Everything below is guarded by lock. One lock for all: each operation is a few counter
    // updates, far cheaper than the callback it admits, and one lock cannot be taken out of order.
    private final Map<String, DomainGate<Request>> domains = new HashMap<>();
    private int domainWaiters;
    private boolean closed;
    private Scheduler.Cancellable sweepTimer;

    /**
     * @param ticker    the clock of {@code acquire}'s deadlines ({@link Ticker#SYSTEM} in production)
     * @param scheduler the timers, on the same clock; the caller owns it, {@link #close()} does not stop it
     */
    public InMemoryBudgets(LimitSettings settings, Ticker ticker, Scheduler scheduler) {
        this(settings, ticker, scheduler, new ClientRateLimiter(settings.perClientRate(), ticker,
            ClientRateLimiter.DEFAULT_MAX_CLIENTS, line -> LOG.info("callback refused: {}", line)));
    }

    /** With a client limiter of the caller's (tests: its log sink and size bound). */
    InMemoryBudgets(LimitSettings settings, Ticker ticker, Scheduler scheduler, ClientRateLimiter clients) {
        this.settings = settings;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.clients = clients;
        this.maxDomainWaiters = (int) Math.min(Integer.MAX_VALUE, (long) DOMAIN_WAITERS_PER_QUEUE_SLOT * settings.maxQueued());
        synchronized (lock) {
            sweepTimer = scheduler.schedule(this::sweep, MINUTE_NANOS);
        }
    }

    @Override
    public CompletionStage<Optional<String>> chargeClient(Optional<InetAddress> client) {
        Optional<String> refused;
        try {
            refused = clients.charge(client);
        } catch (RuntimeException e) {
            // fail open: the process-wide and per-domain limits still hold
            LOG.warn("client rate limit failed; allowing the callback", e);
            refused = Optional.empty();
        }
        return CompletableFuture.completedFuture(refused);
    }

    /**
     * A request that needs no wait is granted even when its deadline has passed.
     */
    @Override
    public CompletionStage<DomainLease> acquire(String domain, int probes, long deadlineNanos, Duration leaseTime) {
        CompletableFuture<DomainLease> future = new CompletableFuture<>();
        Completions.Batch batch = new Completions.Batch();
        try {
            if (domain == null || domain.isBlank()) {
                batch.refuse(future, new RefusedLease("no domain to call back"));
            } else if (probes > settings.perDomainRate()) {
                batch.refuse(future, new RefusedLease(
                    Limit.domainRateTooLow(SafeText.clean(domainKey(domain), 255), settings.perDomainRate(), probes)));
            } else {
                synchronized (lock) {
                    acquireLocked(domainKey(domain), new Request(Math.max(1, probes), deadlineNanos, leaseTime, future), batch);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("callback limits failed; refusing the callback", e);
            batch.refuse(future, new RefusedLease("internal error in callback limits: " + e.getClass().getSimpleName()));
        }
        completions.complete(batch);
        // minimal: a caller cannot complete or cancel our future and so corrupt the bookkeeping
        return future.minimalCompletionStage();
    }

    private void acquireLocked(String key, Request r, Completions.Batch batch) {
        long now = ticker.nanoTime();
        if (closed) {
            batch.refuse(r.future, new RefusedLease(ProcessCapacity.CLOSED));
            return;
        }
        DomainGate<Request> gate = domains.get(key);
        if (gate == null) {
            gate = new DomainGate<>(key, SafeText.clean(key, 255), settings.perDomainConcurrent(),
                settings.perDomainRate(), MINUTE_NANOS);
            domains.put(key, gate);
        }
        r.gate = gate;
        // Those already in line go first when their moment has come (a rate window may have
        // freed an instant before its timer fires).
        pumpDomain(gate, batch);
        if (!gate.hasWaiters() && gate.canStart(now, r.probes)) {
            gate.take(r.probes);
            grant(r, batch);
        } else if (r.deadline - now <= 0) {
            batch.refuse(r.future, new RefusedLease(gate.busyReason()));
        } else if (gate.waiting() >= settings.maxQueued() || domainWaiters >= maxDomainWaiters) {
            // with maxQueued 0 nobody waits, and saying "too many waiting" would mislead
            batch.refuse(r.future, new RefusedLease(gate.busyReason() + (domainWaiters > 0 ? TOO_MANY_WAITING : "")));
        } else {
            r.deadlineTimer = scheduler.schedule(() -> expire(r), r.deadline - now);
            r.waiting = true;
            gate.enqueue(r);
            domainWaiters++;
        }
        settle(gate, now, batch);
    }

    /** {@code r} holds its domain slot and its reserved tokens. */
    private void grant(Request r, Completions.Batch batch) {
        r.finish();
        batch.grant(r.future, new Lease(r.gate, r.probes, ticker.wallMillis() + r.leaseTime.toMillis()), DomainLease::release);
    }

    /** Lets the domain's line move as far as it can, then keeps the gate's timer and its presence in the map right. */
    private void settle(DomainGate<Request> gate, long now, Completions.Batch batch) {
        pumpDomain(gate, batch);
        if (gate.waitsOnlyForTime(now)) {
            long at = gate.headFitsAt();
            if (!gate.wakeScheduledAt(at)) {
                gate.setWake(scheduler.schedule(() -> wake(gate, at), at - now), at);
            }
        } else {
            gate.cancelWake();
        }
        if (gate.idle(now)) {
            domains.remove(gate.key(), gate);
        }
    }

    private void pumpDomain(DomainGate<Request> gate, Completions.Batch batch) {
        while (gate.hasWaiters() && gate.canStart(ticker.nanoTime(), gate.head().probes)) {
            Request w = gate.poll();
            domainWaiters--;
            gate.take(w.probes);
            grant(w, batch);
        }
    }

    /** A rate window of {@code gate} has freed. */
    private void wake(DomainGate<Request> gate, long at) {
        Completions.Batch batch = new Completions.Batch();
        synchronized (lock) {
            gate.wakeFired(at);
            if (!closed) {
                settle(gate, ticker.nanoTime(), batch);
            }
        }
        completions.complete(batch);
    }

    /** {@code r}'s deadline has come; it may have been served meanwhile. */
    private void expire(Request r) {
        Completions.Batch batch = new Completions.Batch();
        synchronized (lock) {
            long now = ticker.nanoTime();
            if (r.waiting) {
                settle(r.gate, now, batch); // a last chance, should its moment have come just now
            }
            if (r.waiting) {
                r.gate.remove(r);
                domainWaiters--;
                r.finish();
                batch.refuse(r.future, new RefusedLease(r.gate.busyReason()));
                settle(r.gate, now, batch);
            }
        }
        completions.complete(batch);
    }

    /** A lease ends: its slot comes back, and its tokens too if its callback never started. */
    private void release(DomainGate<Request> gate, int probes, boolean started) {
        Completions.Batch batch = new Completions.Batch();
        try {
            synchronized (lock) {
                if (started) {
                    gate.finished();
                } else {
                    gate.giveBack(probes);
                }
                settle(gate, ticker.nanoTime(), batch);
            }
        } catch (RuntimeException e) {
            LOG.warn("callback limits failed to release a callback", e);
        }
        completions.complete(batch);
    }

    private void started(DomainGate<Request> gate, int probes) {
        synchronized (lock) {
            gate.started(ticker.nanoTime(), probes);
        }
    }

    /** Drops idle domains and clients; runs every minute. */
    private void sweep() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            long now = ticker.nanoTime();
            domains.values().removeIf(g -> {
                if (!g.idle(now)) {
                    return false;
                }
                g.cancelWake();
                return true;
            });
            sweepTimer = scheduler.schedule(this::sweep, MINUTE_NANOS);
        }
        clients.sweep();
    }

    /** Refuses everyone waiting ({@value ProcessCapacity#CLOSED}) and every later request. Granted leases may still be released. */
    @Override
    public void close() {
        Completions.Batch batch = new Completions.Batch();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (DomainGate<Request> gate : domains.values()) {
                for (Request r : gate.drain()) {
                    r.finish();
                    batch.refuse(r.future, new RefusedLease(ProcessCapacity.CLOSED));
                }
                gate.cancelWake();
            }
            domainWaiters = 0;
            if (sweepTimer != null) {
                sweepTimer.cancel();
            }
        }
        completions.complete(batch);
    }

    @Override
    public int waiting() {
        synchronized (lock) {
            return domainWaiters;
        }
    }

    /** Domains whose state is held now. */
    public int trackedDomains() {
        synchronized (lock) {
            return domains.size();
        }
    }

    /** Clients whose budget is held now. */
    public int trackedClients() {
        return clients.size();
    }

    @Override
    public String toString() {
        return "InMemoryBudgets[" + settings + "]";
    }

    private static String domainKey(String domain) {
        String d = domain.trim().toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    /** One call of {@link #acquire}; guarded by the lock. */
    private static final class Request implements DomainGate.Waiter {
        final int probes;
        final long deadline;
        final Duration leaseTime;
        final CompletableFuture<DomainLease> future;
        DomainGate<Request> gate;
        boolean waiting;
        Scheduler.Cancellable deadlineTimer;

        Request(int probes, long deadline, Duration leaseTime, CompletableFuture<DomainLease> future) {
            this.probes = probes;
            this.deadline = deadline;
            this.leaseTime = leaseTime;
            this.future = future;
        }

        @Override
        public int probes() {
            return probes;
        }

        /** Leaves the line for good; its deadline no longer matters. */
        void finish() {
            waiting = false;
            if (deadlineTimer != null) {
                deadlineTimer.cancel();
                deadlineTimer = null;
            }
        }
    }

    /** A granted lease: its release gives back the slot, and the tokens too if its callback never started. */
    private final class Lease extends GrantedDomainLease {
        private final DomainGate<Request> gate;
        private final int probes;

        Lease(DomainGate<Request> gate, int probes, long expiresAtMillis) {
            super(expiresAtMillis);
            this.gate = gate;
            this.probes = probes;
        }

        @Override
        protected void recordStart() {
            InMemoryBudgets.this.started(gate, probes);
        }

        @Override
        protected void giveBack(boolean started) {
            InMemoryBudgets.this.release(gate, probes, started);
        }
    }
}
