package io.github.jamescbv.policy;

import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.core.DaemonScheduler;

import io.github.jamescbv.core.SafeText;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callback limits of {@link LimitSettings}, in one process, without a thread ever waiting.
 *
 * <h2>What a callback needs</h2>
 * <ol>
 * <li>A <b>slot of its domain</b>: at most {@code perDomainConcurrent} callbacks in flight to one
 *     domain (the domain as called back, lower case).</li>
 * <li>A <b>rate token of its domain</b>: at most {@code perDomainRate} callbacks started to one
 *     domain in any sliding minute, counted exactly from the start times (see {@link StartWindow}).
 *     Tokens are never given back: a rate counts starts, not callbacks in flight.</li>
 * <li>A <b>process-wide slot</b>: at most {@code maxConcurrent} callbacks in flight in all.</li>
 * </ol>
 * <p>A request that cannot have its domain's slot and token waits in that domain's FIFO line, and
 * then one that cannot have a process-wide slot waits in the process-wide FIFO line; either wait
 * ends at the request's deadline at the latest, with a refusal naming what it waited for.
 *
 * <h2>Order of acquisition, and why</h2>
 * Domain first (slot and token together), process-wide slot last. A request held up by a busy
 * domain so holds nothing that requests for other domains could use: a hot domain cannot fill
 * the process-wide slots with requests that are only waiting. The converse, a request holding its
 * domain slot while it waits for a process-wide slot, costs nothing to anyone: the only requests
 * that would want that domain slot are for the same domain, and they would be behind it in the
 * process-wide line anyway. Resources are always taken in this one order and never held while
 * waiting for an earlier one, so there is no deadlock; both lines are FIFO and every wait is
 * bounded by its deadline, so nobody starves. The rate token is reserved with the domain slot,
 * keeping the request's place, but it is only stamped when the callback actually starts, and is
 * cancelled if it never does (see {@link StartWindow}).
 *
 * <h2>Refusals</h2>
 * Every refusal is a granted-or-refused {@link Admission} (never an exceptional completion); the
 * caller turns it into a {@code transient} verdict of stage {@code policy}. Reasons:
 * <ul>
 * <li>{@value #CAPACITY_EXCEEDED}: at arrival, {@code maxConcurrent} in flight and
 *     {@code maxQueued} already waiting for a process-wide slot (at once); or no room in that line
 *     when the domain let it through;</li>
 * <li>{@value #CAPACITY_EXCEEDED} (no free slot before the deadline): waited in that line until
 *     its deadline;</li>
 * <li>"domain example.com: 2 callbacks already in flight" or "domain example.com: rate of 30 per
 *     minute reached": waited for the domain until its deadline (at once when the deadline has
 *     already passed), with " (too many requests waiting)" when refused at once because the
 *     domain's line already holds {@code maxQueued} requests, or all domains' lines together
 *     {@value #DOMAIN_WAITERS_PER_QUEUE_SLOT} times that;</li>
 * <li>{@value #CLOSED} after {@link #close()}.</li>
 * </ul>
 * With {@code maxQueued} 0 nobody waits at all.
 *
 * <h2>Threads</h2>
 * Waiters are futures, completed by {@link Admission#release()} (on the releasing thread) or by
 * the timer (deadlines, a rate window freeing). They are completed after our lock is let go, so
 * what a caller chains onto them never runs under it; a caller whose continuation is heavy
 * should hop to its own executor, and none may block on the stage. A caller that no longer
 * wants a granted admission must still release it.
 *
 * <h2>Memory</h2>
 * Bounded by the settings: at most {@code maxQueued} requests wait for a process-wide slot,
 * {@code maxQueued} for any one domain and {@value #DOMAIN_WAITERS_PER_QUEUE_SLOT} times
 * {@code maxQueued} for all domains; a domain's state is dropped once nothing is in flight,
 * nobody waits and its last start is a minute old; client state is bounded as told in
 * {@link ClientRateLimiter}. An idle sweep runs every minute.
 */
public final class DefaultCallbackLimits implements CallbackLimits, AutoCloseable {
    public static final String CAPACITY_EXCEEDED = "verification capacity exceeded";
    static final String CAPACITY_DEADLINE = CAPACITY_EXCEEDED + " (no free slot before the deadline)";
    static final String CLOSED = "callback limits closed";
    static final String TOO_MANY_WAITING = " (too many requests waiting)";
    /** All domains' lines together hold at most this many times {@code maxQueued}: room for a few hot domains at once. */
    static final int DOMAIN_WAITERS_PER_QUEUE_SLOT = 4;
    static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final Logger LOG = LoggerFactory.getLogger(DefaultCallbackLimits.class);

    private final LimitSettings settings;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final AutoCloseable ownScheduler;
    private final ClientRateLimiter clients;
    private final Completions completions = new Completions();
    private final int maxDomainWaiters;

    private final Object lock = new Object();
    // Everything below is guarded by lock. One lock for all: each operation is a few counter
    // updates, far cheaper than the callback it admits, and one lock cannot be taken out of order.
    private final ConcurrencyQueue<Request> capacity;
    private final Map<String, DomainGate<Request>> domains = new HashMap<>();
    private int domainWaiters;
    private boolean closed;
    private Scheduler.Cancellable sweepTimer;

    /** Real time, with one daemon timer thread "cbv-limits" that {@link #close()} stops. */
    public DefaultCallbackLimits(LimitSettings settings) {
        this(settings, new DaemonScheduler("cbv-limits"));
    }

    /**
     * @param ticker    the clock of {@code admit}'s deadlines ({@link Ticker#SYSTEM} in production)
     * @param scheduler the timers, on the same clock; the caller owns it, {@link #close()} does not stop it
     */
    public DefaultCallbackLimits(LimitSettings settings, Ticker ticker, Scheduler scheduler) {
        this(settings, ticker, scheduler, null, loggingClients(settings, ticker));
    }

    private DefaultCallbackLimits(LimitSettings settings, DaemonScheduler own) {
        this(settings, Ticker.SYSTEM, own, own, loggingClients(settings, Ticker.SYSTEM));
    }

    private static ClientRateLimiter loggingClients(LimitSettings settings, Ticker ticker) {
        return new ClientRateLimiter(settings.perClientRate(), ticker, ClientRateLimiter.DEFAULT_MAX_CLIENTS,
            line -> LOG.info("callback refused: {}", line));
    }

    /** With a client limiter of the caller's (tests: its log sink and size bound). */
    DefaultCallbackLimits(LimitSettings settings, Ticker ticker, Scheduler scheduler, AutoCloseable ownScheduler,
            ClientRateLimiter clients) {
        this.settings = settings;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.ownScheduler = ownScheduler;
        this.clients = clients;
        this.maxDomainWaiters = (int) Math.min(Integer.MAX_VALUE, (long) DOMAIN_WAITERS_PER_QUEUE_SLOT * settings.maxQueued());
        this.capacity = new ConcurrencyQueue<>(settings.maxConcurrent(), settings.maxQueued());
        synchronized (lock) {
            sweepTimer = scheduler.schedule(this::sweep, MINUTE_NANOS);
        }
    }

    @Override
    public Optional<String> chargeClient(Optional<InetAddress> client) {
        try {
            return clients.charge(client);
        } catch (RuntimeException e) {
            // fail open: the process-wide and per-domain limits still hold
            LOG.warn("client rate limit failed; allowing the callback", e);
            return Optional.empty();
        }
    }

    /**
     * @param domain        the domain to be called back (after the domain map); case does not matter
     * @param deadlineNanos on this object's {@link Ticker} ({@link System#nanoTime()} in production);
     *                      waiting ends there, but a request that needs no wait is granted even when it has passed
     */
    @Override
    public CompletionStage<Admission> admit(String domain, long deadlineNanos) {
        CompletableFuture<Admission> future = new CompletableFuture<>();
        Completions.Batch batch = new Completions.Batch();
        try {
            if (domain == null || domain.isBlank()) {
                batch.refuse(future, "no domain to call back");
            } else {
                synchronized (lock) {
                    admitLocked(domainKey(domain), deadlineNanos, future, batch);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("callback limits failed; refusing the callback", e);
            batch.refuse(future, "internal error in callback limits: " + e.getClass().getSimpleName());
        }
        completions.complete(batch);
        // minimal: a caller cannot complete or cancel our future and so corrupt the bookkeeping
        return future.minimalCompletionStage();
    }

    private void admitLocked(String key, long deadline, CompletableFuture<Admission> future, Completions.Batch batch) {
        long now = ticker.nanoTime();
        if (closed) {
            batch.refuse(future, CLOSED);
            return;
        }
        if (capacity.saturated()) {
            batch.refuse(future, CAPACITY_EXCEEDED);
            return;
        }
        DomainGate<Request> gate = domains.get(key);
        if (gate == null) {
            gate = new DomainGate<>(key, SafeText.clean(key, 255), settings.perDomainConcurrent(),
                settings.perDomainRate(), MINUTE_NANOS);
            domains.put(key, gate);
        }
        // Those already in line go first when their moment has come (a rate window may have
        // freed an instant before its timer fires).
        pumpDomain(gate, now, batch);
        Request r = new Request(gate, deadline, future);
        if (!gate.hasWaiters() && gate.canStart(now)) {
            gate.take();
            toCapacity(r, now, batch);
        } else if (deadline - now <= 0) {
            batch.refuse(future, gate.busyReason());
        } else if (gate.waiting() >= settings.maxQueued() || domainWaiters >= maxDomainWaiters) {
            // with maxQueued 0 nobody waits, and saying "too many waiting" would mislead
            batch.refuse(future, gate.busyReason() + (domainWaiters > 0 ? TOO_MANY_WAITING : ""));
        } else {
            r.deadlineTimer = scheduler.schedule(() -> expire(r), deadline - now);
            r.state = State.WAITING_FOR_DOMAIN;
            gate.enqueue(r);
            domainWaiters++;
        }
        settle(gate, now, batch);
    }

    /** {@code r} holds its domain slot and token; now the process-wide slot, or its line. */
    private void toCapacity(Request r, long now, Completions.Batch batch) {
        if (capacity.tryAcquire()) {
            grant(r, now, batch);
            return;
        }
        if (r.deadline - now > 0) {
            if (r.deadlineTimer == null) {
                r.deadlineTimer = scheduler.schedule(() -> expire(r), r.deadline - now);
            }
            if (capacity.offer(r)) {
                r.state = State.WAITING_FOR_CAPACITY;
                return;
            }
        }
        r.gate.giveBack();
        r.finish(State.DONE);
        batch.refuse(r.future, r.deadline - now > 0 ? CAPACITY_EXCEEDED : CAPACITY_DEADLINE);
    }

    /** {@code r} holds all three: its callback starts now. */
    private void grant(Request r, long now, Completions.Batch batch) {
        r.gate.started(now);
        r.finish(State.GRANTED);
        batch.grant(r.future, new Grant(r.gate));
    }

    /** Lets the domain's line move as far as it can, then keeps the gate's timer and its presence in the map right. */
    private void settle(DomainGate<Request> gate, long now, Completions.Batch batch) {
        pumpDomain(gate, now, batch);
        if (gate.waitsOnlyForTime(now)) {
            long at = gate.oldestStartLeavesAt();
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

    private void pumpDomain(DomainGate<Request> gate, long now, Completions.Batch batch) {
        while (gate.hasWaiters() && gate.canStart(now)) {
            Request w = gate.poll();
            domainWaiters--;
            gate.take();
            toCapacity(w, now, batch);
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
            if (r.state == State.WAITING_FOR_DOMAIN) {
                settle(r.gate, now, batch); // a last chance, should its moment have come just now
            }
            if (r.state == State.WAITING_FOR_DOMAIN) {
                r.gate.remove(r);
                domainWaiters--;
                r.finish(State.DONE);
                batch.refuse(r.future, r.gate.busyReason());
                settle(r.gate, now, batch);
            } else if (r.state == State.WAITING_FOR_CAPACITY) {
                capacity.remove(r);
                r.gate.giveBack();
                r.finish(State.DONE);
                batch.refuse(r.future, CAPACITY_DEADLINE);
                settle(r.gate, now, batch); // its domain slot and token came back
            }
        }
        completions.complete(batch);
    }

    private void release(DomainGate<Request> gate) {
        Completions.Batch batch = new Completions.Batch();
        try {
            synchronized (lock) {
                long now = ticker.nanoTime();
                capacity.release();
                gate.finished();
                // The freed process-wide slot goes to the head of its line first: it has waited
                // longest, and a request of this domain now let through joins that line behind it.
                Request next;
                while ((next = capacity.pollIfFree()) != null) {
                    grant(next, now, batch);
                    settle(next.gate, now, batch);
                }
                settle(gate, now, batch);
            }
        } catch (RuntimeException e) {
            LOG.warn("callback limits failed to release a callback", e);
        }
        completions.complete(batch);
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

    /**
     * Refuses everyone waiting ({@value #CLOSED}) and every later request, and stops the timer
     * thread if this object made it. Granted admissions may still be released.
     */
    @Override
    public void close() {
        Completions.Batch batch = new Completions.Batch();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (Request r : capacity.drain()) {
                r.gate.giveBack();
                r.finish(State.DONE);
                batch.refuse(r.future, CLOSED);
            }
            for (DomainGate<Request> gate : domains.values()) {
                for (Request r : gate.drain()) {
                    r.finish(State.DONE);
                    batch.refuse(r.future, CLOSED);
                }
                gate.cancelWake();
            }
            domainWaiters = 0;
            if (sweepTimer != null) {
                sweepTimer.cancel();
            }
        }
        completions.complete(batch);
        if (ownScheduler != null) {
            try {
                ownScheduler.close();
            } catch (Exception e) {
                LOG.warn("stopping the callback limits timer failed", e);
            }
        }
    }

    /** Callbacks holding a process-wide slot now (gauge). */
    public int inFlight() {
        synchronized (lock) {
            return capacity.inFlight();
        }
    }

    /** Requests waiting now, for a process-wide slot or for their domain (gauge). */
    public int queued() {
        synchronized (lock) {
            return capacity.queued() + domainWaiters;
        }
    }

    /** Requests waiting for a process-wide slot now (gauge); at most {@code maxQueued}. */
    public int queuedForCapacity() {
        synchronized (lock) {
            return capacity.queued();
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

    public LimitSettings settings() {
        return settings;
    }

    @Override
    public String toString() {
        return "DefaultCallbackLimits[" + settings + "]";
    }

    private static String domainKey(String domain) {
        String d = domain.trim().toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    private enum State { NEW, WAITING_FOR_DOMAIN, WAITING_FOR_CAPACITY, GRANTED, DONE }

    /** One call of {@link #admit}; guarded by the lock. */
    private static final class Request {
        final DomainGate<Request> gate;
        final long deadline;
        final CompletableFuture<Admission> future;
        State state = State.NEW;
        Scheduler.Cancellable deadlineTimer;

        Request(DomainGate<Request> gate, long deadline, CompletableFuture<Admission> future) {
            this.gate = gate;
            this.deadline = deadline;
            this.future = future;
        }

        /** Leaves every line for good; its deadline no longer matters. */
        void finish(State end) {
            state = end;
            if (deadlineTimer != null) {
                deadlineTimer.cancel();
                deadlineTimer = null;
            }
        }
    }

    /** A granted admission; the first release gives back the process-wide and domain slots. */
    private final class Grant implements Admission {
        private final DomainGate<Request> gate;
        private final AtomicBoolean released = new AtomicBoolean();

        Grant(DomainGate<Request> gate) {
            this.gate = gate;
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
        public void release() {
            if (released.compareAndSet(false, true)) {
                DefaultCallbackLimits.this.release(gate);
            }
        }

        @Override
        public String toString() {
            return released.get() ? "granted, released" : "granted";
        }
    }
}
