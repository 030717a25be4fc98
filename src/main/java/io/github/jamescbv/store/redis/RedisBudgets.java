package io.github.jamescbv.store.redis;

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
import io.github.jamescbv.policy.ResultTtls;
import io.github.jamescbv.store.redis.DomainLine.Request;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote budgets of {@link LimitSettings} shared through Redis by every node:
 * {@code perDomainConcurrent} slots per domain as leases that expire when their holder dies,
 * {@code perDomainRate} probes ({@code RCPT TO}s) per domain in a sliding minute, charged when a
 * callback starts, {@code perClientRate} new callbacks per client a minute
 * ({@link DomainBudgetScripts}, {@link SharedClientRate}).
 *
 * <p><b>Waiting</b> is local: each domain has a FIFO line in this process ({@link DomainLine});
 * its head is tried in Redis again when a lease of this process is released, when something
 * held in Redis is due to end, and every {@link #POLL} meanwhile (another node's release is not
 * announced). The refusals read as the in-memory budgets': "domain example.com: 2 callbacks
 * already in flight", "... rate of 30 per minute reached", " (too many requests waiting)", and
 * {@value ProcessCapacity#CLOSED}.
 *
 * <p><b>Redis failing</b>: a domain slot or a client charge that cannot be asked fails its
 * stage, and everyone in that domain's line with it, so that the failover in front of these
 * budgets ({@code FailoverBudgets}) answers with this node's own limits, and logs it once.
 * Nothing is thrown out of a method.
 *
 * <p>Times are the ticker's (deadlines on its nanoseconds, Redis scores on its wall clock) and
 * timers the scheduler's. The {@link RedisLink} is its opener's to close.
 */
public final class RedisBudgets implements RemoteBudgets {
    /** How often a waiting line looks again for slots freed by other nodes. */
    static final Duration POLL = Duration.ofMillis(250);
    static final String TOO_MANY_WAITING = " (too many requests waiting)";
    /** All lines together hold at most this many times {@code maxQueued}, as in memory. */
    private static final int WAITERS_PER_QUEUE_SLOT = 4;
    private static final Logger LOG = LoggerFactory.getLogger(RedisBudgets.class);

    private final LimitSettings settings;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final DomainBudgetScripts domains;
    private final SharedClientRate clients;
    private final OncePerMinute refusalLog;
    private final Completions completions = new Completions();
    private final int maxWaiters;

    private final Object lock = new Object();
    /** Leases of this process's callbacks not released yet: given back when it stops. */
    private final Set<SharedLease> held = ConcurrentHashMap.newKeySet();
    // guarded by lock
    private final Map<String, DomainLine> lines = new HashMap<>();
    private int waiters;
    private boolean closed;

    /**
     * @param keyPrefix of every key (see {@link RedisSettings#keyPrefix()})
     * @param scheduler timers on {@code ticker}'s clock; the caller's, not stopped by {@link #close()}
     */
    public RedisBudgets(RedisLink link, String keyPrefix, LimitSettings settings, Ticker ticker, Scheduler scheduler) {
        this.settings = settings;
        this.ticker = ticker;
        this.scheduler = scheduler;
        RedisKeys keys = new RedisKeys(keyPrefix);
        this.domains = new DomainBudgetScripts(link, keys, settings.perDomainConcurrent(), settings.perDomainRate());
        this.clients = new SharedClientRate(link, keys, settings.perClientRate());
        this.refusalLog = new OncePerMinute(ticker, line -> LOG.info("callback refused: {}", line));
        this.maxWaiters = (int) Math.min(Integer.MAX_VALUE, (long) WAITERS_PER_QUEUE_SLOT * settings.maxQueued());
    }

    @Override
    public CompletionStage<Optional<String>> chargeClient(Optional<InetAddress> client) {
        if (client.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<String>> charged;
        try {
            charged = clients.charge(client.get(), ticker.wallMillis());
        } catch (RuntimeException e) {
            charged = CompletableFuture.failedFuture(e);
        }
        return charged.thenApply(refused -> {
            refused.ifPresent(reason -> refusalLog.log(reason.substring(0, reason.indexOf(" exceeded")), reason));
            return refused;
        });
    }

    @Override
    public CompletionStage<DomainLease> acquire(String domain, int probes, long deadlineNanos, Duration leaseTime) {
        Request r = new Request(Math.max(1, probes), deadlineNanos, leaseTime);
        Completions.Batch batch = new Completions.Batch();
        DomainLine toPump = null;
        String key = domain == null ? "" : domainKey(domain);
        if (key.isEmpty() || !RedisKeys.fits(key)) {
            batch.refuse(r.future, new RefusedLease("no domain to call back"));
        } else if (r.probes > settings.perDomainRate()) {
            // no minute can hold it: asking Redis, or waiting, would only hold up the line
            batch.refuse(r.future, new RefusedLease(
                Limit.domainRateTooLow(SafeText.clean(key, 255), settings.perDomainRate(), r.probes)));
        } else {
            synchronized (lock) {
                if (closed) {
                    batch.refuse(r.future, new RefusedLease(ProcessCapacity.CLOSED));
                } else {
                    DomainLine line = lines.computeIfAbsent(key, k -> new DomainLine(k, SafeText.clean(k, 255)));
                    line.add(r);
                    waiters++;
                    if (line.hasWaiting()) {
                        decide(line, r, batch); // the domain is known busy: no need to ask Redis for a newcomer
                    } else {
                        toPump = line;
                    }
                }
            }
        }
        completions.complete(batch);
        if (toPump != null) {
            pump(toPump);
        }
        // minimal: a caller cannot complete or cancel our future and so corrupt the bookkeeping
        return r.future.minimalCompletionStage();
    }

    /** Tries the head of the line in Redis, unless an attempt is under way already. */
    private void pump(DomainLine line) {
        Request head;
        long now;
        synchronized (lock) {
            if (line.trying) {
                line.again = true;
                return;
            }
            head = line.head();
            if (head == null || closed) {
                dropIfIdle(line);
                return;
            }
            line.trying = true;
            line.again = false;
            now = ticker.wallMillis();
        }
        String leaseId = UUID.randomUUID().toString();
        long expiresAt = ResultTtls.expiry(now, head.leaseTime.toMillis());
        CompletableFuture<DomainBudgetScripts.Attempt> attempt;
        try {
            attempt = domains.acquire(line.key, leaseId, head.probes, now, expiresAt, head.leaseTime);
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        attempt.whenComplete((a, e) -> afterAttempt(line, head, new SharedLease(line.key, leaseId, head.probes, expiresAt), a, e));
    }

    private void afterAttempt(DomainLine line, Request head, SharedLease lease, DomainBudgetScripts.Attempt a, Throwable e) {
        Completions.Batch batch = new Completions.Batch();
        boolean again;
        synchronized (lock) {
            line.trying = false;
            if (e != null) {
                LOG.debug("shared callback limits of {} not asked: {}", line.name, e.toString());
                for (Request r : line.drain()) {
                    waiters--;
                    batch.fail(r.future, e);
                }
                again = false;
            } else if (a.taken) {
                held.add(lease);
                if (line.remove(head)) {
                    waiters--;
                    batch.grant(head.future, lease, DomainLease::release);
                } else {
                    batch.grant(new CompletableFuture<>(), lease, DomainLease::release); // refused meanwhile: give it back
                }
                again = true;
            } else {
                line.busyReason = a.slotsFull
                    ? Limit.domainBusy(line.name, a.inFlight)
                    : Limit.domainRateReached(line.name, settings.perDomainRate());
                for (Request r : line.untried()) {
                    decide(line, r, batch);
                }
                again = line.again || scheduleRetry(line, a.wakeAtMillis);
            }
            line.again = false;
            if (!again) {
                dropIfIdle(line);
            }
        }
        completions.complete(batch);
        if (again) {
            pump(line);
        }
    }

    /** A request the domain cannot take now: refused at once, or waiting until its deadline. */
    private void decide(DomainLine line, Request r, Completions.Batch batch) {
        long now = ticker.nanoTime();
        if (r.deadlineNanos - now <= 0) {
            refuse(line, r, line.busyReason, batch);
        } else if (line.waiting() >= settings.maxQueued() || totalWaiting() >= maxWaiters) {
            // with maxQueued 0 nobody waits, and saying "too many waiting" would mislead
            refuse(line, r, line.busyReason + (totalWaiting() > 0 ? TOO_MANY_WAITING : ""), batch);
        } else {
            line.markWaiting(r);
            r.deadlineTimer = scheduler.schedule(() -> expire(line, r), r.deadlineNanos - now);
        }
    }

    private void refuse(DomainLine line, Request r, String reason, Completions.Batch batch) {
        if (line.remove(r)) {
            waiters--;
        }
        batch.refuse(r.future, new RefusedLease(reason));
    }

    /** Requests that have been told to wait, across all lines. */
    private int totalWaiting() {
        int n = 0;
        for (DomainLine l : lines.values()) {
            n += l.waiting();
        }
        return n;
    }

    /** Sets the line's timer; true when what it waits for is already due, to try again at once. */
    private boolean scheduleRetry(DomainLine line, long wakeAtMillis) {
        if (!line.hasWaiting()) {
            return false;
        }
        long pollNanos = POLL.toNanos();
        long delay = pollNanos;
        if (wakeAtMillis > 0) {
            long untilWake = wakeAtMillis - ticker.wallMillis();
            if (untilWake <= 0) {
                return true;
            }
            delay = Math.min(pollNanos, TimeUnit.MILLISECONDS.toNanos(untilWake));
        }
        line.cancelRetry();
        line.retry = scheduler.schedule(() -> pump(line), delay);
        return false;
    }

    /** {@code r}'s deadline has come; an attempt under way may still serve those behind it. */
    private void expire(DomainLine line, Request r) {
        Completions.Batch batch = new Completions.Batch();
        synchronized (lock) {
            if (r.waiting && !r.future.isDone()) {
                refuse(line, r, line.busyReason, batch);
                dropIfIdle(line);
            }
        }
        completions.complete(batch);
    }

    private void dropIfIdle(DomainLine line) {
        if (line.idle()) {
            line.cancelRetry();
            lines.remove(line.key, line);
        }
    }

    /** A lease of this process was released: its line may go on at once. */
    private void released(String key) {
        DomainLine line;
        synchronized (lock) {
            line = lines.get(key);
        }
        if (line != null) {
            pump(line);
        }
    }

    @Override
    public int waiting() {
        synchronized (lock) {
            return waiters;
        }
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
            for (DomainLine line : List.copyOf(lines.values())) {
                for (Request r : line.drain()) {
                    batch.refuse(r.future, new RefusedLease(ProcessCapacity.CLOSED));
                }
                line.cancelRetry();
            }
            lines.clear();
            waiters = 0;
        }
        completions.complete(batch);
        // the slots of callbacks cut short by the stop: the other nodes get them now, not when their lease ends
        List.copyOf(held).forEach(DomainLease::release);
    }

    @Override
    public String toString() {
        return "RedisBudgets[" + settings + "]";
    }

    private static String domainKey(String domain) {
        String d = domain.trim().toLowerCase(Locale.ROOT);
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    /** A slot held in Redis: its release gives back the slot, and the tokens too if its callback never started. */
    private final class SharedLease extends GrantedDomainLease {
        private final String key;
        private final String id;
        private final int probes;

        SharedLease(String key, String id, int probes, long expiresAtMillis) {
            super(expiresAtMillis);
            this.key = key;
            this.id = id;
            this.probes = probes;
        }

        @Override
        protected void recordStart() {
            call(() -> domains.start(key, id, probes, ticker.wallMillis()), "record a callback's start");
        }

        /** The release script takes back the tokens of a lease that never started by itself. */
        @Override
        protected void giveBack(boolean started) {
            held.remove(this);
            // a release that fails leaves the lease to expire with its lease time
            call(() -> domains.release(key, id, probes), "release a callback's slot").whenComplete((v, e) -> released(key));
        }

        private CompletableFuture<Long> call(java.util.function.Supplier<CompletableFuture<Long>> step, String what) {
            CompletableFuture<Long> done;
            try {
                done = step.get();
            } catch (RuntimeException e) {
                done = CompletableFuture.failedFuture(e);
            }
            return done.whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warn("shared callback limits could not {} for {}: {}", what, key, e.toString());
                }
            });
        }
    }
}
