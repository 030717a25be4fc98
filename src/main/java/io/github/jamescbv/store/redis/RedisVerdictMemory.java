package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheScope;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.RefreshRule;
import io.github.jamescbv.policy.RememberRules;
import io.github.jamescbv.policy.Remembered;
import io.github.jamescbv.policy.VerdictMemory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VerdictMemory} in Redis, shared by every node that uses the same Redis and key prefix,
 * and kept across restarts of the nodes. What is kept under which key and for how long is
 * {@link RememberRules}, as for every store; each key carries a Redis TTL, so nothing is ever
 * swept, and the expiry inside its value ({@link StoredVerdict}) decides, on the given clock,
 * whether it still answers.
 *
 * <p><b>Callbacks in flight</b> are shared twice: in this process, everyone asking for an address
 * joins the one run for it ({@link LocalCalls}); across processes, that run claims the address in
 * Redis for as long as a callback may take, and a node that finds it claimed waits for the
 * holder's verdict instead of calling back too ({@link SharedCallback}).
 *
 * <p><b>Redis failing.</b> Every call is bounded by the link's timeout. A lookup, claim or wait
 * that fails fails the stage, before any callback has run: the caller takes the memory as
 * unavailable and goes on without it (Postfix's "status unavailable"). Nothing is ever thrown out
 * of a method. {@link #remember} drops a write that fails, with a WARN, and completes normally.
 *
 * <p>{@code maxEntries} bounds nothing here (Redis's {@code maxmemory} policy does); 0 still
 * disables the memory: nothing remembered, every lookup a miss, callbacks in flight still shared.
 *
 * <p>The {@link RedisLink} is its opener's: {@link #close} stops this memory's waits, not the link.
 */
public final class RedisVerdictMemory implements VerdictMemory {
    private static final Logger LOG = LoggerFactory.getLogger(RedisVerdictMemory.class);
    /** A wait for another node's callback ends this long after that callback's lease would have. */
    private static final Duration WAIT_MARGIN = Duration.ofSeconds(1);

    private final RedisLink link;
    private final RedisKeys keys;
    private final Ticker clock;
    private final RememberRules rules;
    private final boolean disabled;
    private final VerdictReads reads;
    private final KeyScan scan;
    private final LocalCalls local = new LocalCalls();
    /** Renewals apart: a request answered from what is held must not wait for one (see {@link #refresh}). */
    private final LocalCalls refreshes = new LocalCalls();
    private final CallbackGauge running = new CallbackGauge();
    private final SharedCallback.Context shared;
    private volatile boolean closed;

    /**
     * @param keyPrefix  of every key (see {@link RedisSettings#keyPrefix()})
     * @param clock      expiries are on its wall-clock milliseconds
     * @param claimLease how long a callback claimed here may run before another node may claim it:
     *                   the callback's total timeout and a margin
     */
    public RedisVerdictMemory(RedisLink link, String keyPrefix, CacheSettings settings, Ticker clock, Duration claimLease) {
        this.link = Objects.requireNonNull(link, "link");
        this.keys = new RedisKeys(Objects.requireNonNull(keyPrefix, "keyPrefix"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.rules = new RememberRules(settings);
        this.disabled = settings.maxEntries() == 0;
        this.reads = new VerdictReads(link, keys, clock, new RefreshRule(settings));
        this.scan = new KeyScan(link);
        this.shared = new SharedCallback.Context(reads, new SharedClaims(link, keys, claimLease), link,
            claimLease.plus(WAIT_MARGIN), running, () -> closed);
    }

    @Override
    public CompletionStage<Verdict> recallOrCall(String address, String domain,
                                                 Supplier<? extends CompletionStage<Verdict>> callback) {
        return keyed(address, domain, local, () -> SharedCallback.run(shared, address, domain, callback));
    }

    /**
     * Joined here by renewals only: a {@link #recallOrCall} of the same address meanwhile is
     * answered by the verdict still held, not held up by the renewal. Across processes the claim is
     * the same as a callback's, so that a node finding nothing held waits for the renewal.
     */
    @Override
    public CompletionStage<Verdict> refresh(String address, String domain,
                                            Supplier<? extends CompletionStage<Verdict>> callback) {
        return keyed(address, domain, refreshes, () -> SharedCallback.claimFirst(shared, address, domain, callback));
    }

    /** {@code run} joined in {@code calls} under the address; a name too long to be a key fails the stage. */
    private static CompletableFuture<Verdict> keyed(String address, String domain, LocalCalls calls,
                                                    Supplier<CompletableFuture<Verdict>> run) {
        if (!RedisKeys.fits(address) || !RedisKeys.fits(domain)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no key for " + address));
        }
        return calls.join(address, run);
    }

    @Override
    public CompletionStage<List<Remembered>> recall(String address, String domain) {
        return disabled ? CompletableFuture.completedFuture(List.of()) : guarded(() -> reads.recall(address, domain));
    }

    @Override
    public CompletionStage<Void> remember(String address, String domain, Verdict verdict) {
        Objects.requireNonNull(verdict, "verdict");
        if (disabled) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> written;
        try {
            long now = clock.wallMillis();
            VerdictWrites writes = new VerdictWrites(link, keys, now);
            rules.apply(address, domain, verdict, now, writes);
            written = writes.done();
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.exceptionally(e -> {
            LOG.warn("verdict for {} not remembered in Redis: {}", address, e.toString());
            return null;
        });
    }

    @Override
    public CompletionStage<DomainFacts> domainFacts(String domain) {
        return disabled ? CompletableFuture.completedFuture(DomainFacts.NONE) : guarded(() -> reads.facts(domain));
    }

    @Override
    public CompletionStage<Boolean> forgetAddress(String address) {
        if (!RedisKeys.fits(address)) {
            return CompletableFuture.completedFuture(false);
        }
        return guarded(() -> link.call(c -> c.del(keys.verdict(CacheScope.ADDRESS, address))).thenApply(n -> n > 0));
    }

    @Override
    public CompletionStage<Integer> forgetDomain(String domain) {
        if (!RedisKeys.fits(domain)) {
            return CompletableFuture.completedFuture(0);
        }
        return guarded(() -> scan.delete(keys.addressesOfPattern(domain))
            .thenCombine(link.call(c -> c.del(keys.verdict(CacheScope.DOMAIN, domain), keys.verdict(CacheScope.ACCEPT_ALL, domain))),
                (addresses, own) -> (int) (addresses + own)));
    }

    @Override
    public CompletionStage<Long> size() {
        return guarded(() -> scan.count(keys.heldPattern()));
    }

    @Override
    public int callbacksInFlight() {
        return running.value();
    }

    /** Stops this memory's waits for other nodes' callbacks; callbacks running here still complete. */
    @Override
    public void close() {
        closed = true;
        // before the link closes (its opener closes it after us): other nodes need not wait out our leases
        shared.claims.releaseAll();
    }

    /** {@code ask}'s stage, or a failed one if it threw: never an exception out of a method. */
    private static <T> CompletableFuture<T> guarded(Supplier<CompletableFuture<T>> ask) {
        try {
            return ask.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
