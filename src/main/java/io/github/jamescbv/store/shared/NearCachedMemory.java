package io.github.jamescbv.store.shared;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheScope;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.RefreshRule;
import io.github.jamescbv.policy.Remembered;
import io.github.jamescbv.policy.VerdictMemory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A shared {@link VerdictMemory} with a small near-cache of this node's recent answers in
 * front, so that a sender seen a moment ago costs no network call: a near hit answers in an
 * already completed stage, without touching the shared store.
 *
 * <p>A near entry lives {@code lifetime} (a few seconds), never past the verdict's own expiry
 * in the shared store: on a near miss the answer is read with {@link VerdictMemory#recall},
 * which carries that expiry, then, when nothing answers, {@link VerdictMemory#recallOrCall}
 * claims the callback on the shared store (which asks again, atomically). A miss costs one read
 * more than the shared store alone, against a callback of seconds.
 *
 * <p>What this node writes or forgets goes to the shared store and drops the near entries it
 * touches at once. What <b>another node</b> writes or forgets is seen here only once the near
 * entry ends: for at most {@code lifetime}, this node may answer with the verdict it saw. That
 * is the one consistency a near-cache gives up, and why its lifetime is short. Nor does a near
 * entry outlive the moment its pass becomes due for renewal ({@link RefreshRule}): from then on the
 * shared store answers it marked {@code refreshing}, and so must this node.
 */
public final class NearCachedMemory implements VerdictMemory {
    public static final int DEFAULT_MAX_ENTRIES = 1_000;
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(5);

    private final VerdictMemory shared;
    private final Ticker ticker;
    private final long lifetimeNanos;
    private final NearCache near;
    private final RefreshRule refresh;

    /** With {@value #DEFAULT_MAX_ENTRIES} entries of {@link #DEFAULT_LIFETIME}. */
    public NearCachedMemory(VerdictMemory shared, CacheSettings cache, Ticker ticker) {
        this(shared, cache, ticker, DEFAULT_MAX_ENTRIES, DEFAULT_LIFETIME);
    }

    /**
     * @param cache      the settings the shared store keeps its verdicts by
     * @param ticker     the clock of the near entries' lifetime, and of the shared expiries (wall clock)
     * @param maxEntries 0, or a zero lifetime, turns the near-cache off: every call goes to {@code shared}
     * @throws IllegalArgumentException naming the value when maxEntries or lifetime is negative
     */
    public NearCachedMemory(VerdictMemory shared, CacheSettings cache, Ticker ticker, int maxEntries, Duration lifetime) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.refresh = new RefreshRule(cache);
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (maxEntries < 0) {
            throw new IllegalArgumentException("bad near-cache maxEntries '" + maxEntries + "' (must be 0 or more)");
        }
        if (lifetime == null || lifetime.isNegative()) {
            throw new IllegalArgumentException("bad near-cache lifetime '" + lifetime + "' (must be 0 or more)");
        }
        this.lifetimeNanos = lifetime.toNanos();
        this.near = new NearCache(lifetimeNanos == 0 ? 0 : maxEntries, ticker);
    }

    @Override
    public CompletionStage<Verdict> recallOrCall(String address, String domain,
                                                 Supplier<? extends CompletionStage<Verdict>> callback) {
        Verdict hit = near.get(address);
        if (hit != null) {
            return CompletableFuture.completedFuture(hit);
        }
        if (lifetimeNanos == 0) {
            return shared.recallOrCall(address, domain, callback);
        }
        long generation = near.generation();
        CompletionStage<List<Remembered>> held;
        try {
            held = shared.recall(address, domain);
        } catch (RuntimeException e) {
            held = CompletableFuture.failedFuture(e);
        }
        // a read that fails is a miss: the claim below asks the shared store again anyway
        return held.handle((list, e) -> {
            Remembered answer = e == null ? answering(list) : null;
            if (answer == null) {
                return shared.recallOrCall(address, domain, callback);
            }
            keep(address, domain, answer, generation);
            return CompletableFuture.completedFuture(answer.verdict());
        }).thenCompose(Function.identity());
    }

    /** Always the shared store's: a renewal is a claim, which the near copies know nothing of. */
    @Override
    public CompletionStage<Verdict> refresh(String address, String domain,
                                            Supplier<? extends CompletionStage<Verdict>> callback) {
        return shared.refresh(address, domain, callback);
    }

    /** Kept until the near lifetime ends, the shared verdict expires or becomes due for renewal, whichever comes first. */
    private void keep(String address, String domain, Remembered answer, long generation) {
        long until = Math.min(answer.expiresAtMillis(), refresh.dueAtMillis(answer));
        long ttlNanos = Duration.ofMillis(Math.max(0, until - ticker.wallMillis())).toNanos();
        near.put(address, domain, answer.verdict(), answer.scope() == CacheScope.DOMAIN,
            Math.min(lifetimeNanos, ttlNanos), generation);
    }

    private static Remembered answering(List<Remembered> held) {
        if (held == null) {
            return null;
        }
        for (Remembered r : held) {
            if (r.scope() != CacheScope.ACCEPT_ALL) {
                return r;
            }
        }
        return null;
    }

    /** The administrator's look: always the shared store's truth, never the near copy. */
    @Override
    public CompletionStage<List<Remembered>> recall(String address, String domain) {
        return shared.recall(address, domain);
    }

    @Override
    public CompletionStage<Void> remember(String address, String domain, Verdict verdict) {
        // dropped before and after: a near read racing the write cannot keep the old answer
        near.invalidateAddressAndDomainWide(address, domain);
        return shared.remember(address, domain, verdict)
            .whenComplete((ignored, e) -> near.invalidateAddressAndDomainWide(address, domain));
    }

    /** Asked only before a callback, never on the hot path: not near-cached. */
    @Override
    public CompletionStage<DomainFacts> domainFacts(String domain) {
        return shared.domainFacts(domain);
    }

    @Override
    public CompletionStage<Boolean> forgetAddress(String address) {
        near.invalidate(address);
        return shared.forgetAddress(address).whenComplete((ignored, e) -> near.invalidate(address));
    }

    @Override
    public CompletionStage<Integer> forgetDomain(String domain) {
        near.invalidateDomain(domain);
        return shared.forgetDomain(domain).whenComplete((ignored, e) -> near.invalidateDomain(domain));
    }

    /** The shared store's count: the near copies are not entries of their own. */
    @Override
    public CompletionStage<Long> size() {
        return shared.size();
    }

    /** Near entries held now (gauge). */
    public int nearEntries() {
        return near.size();
    }

    @Override
    public int callbacksInFlight() {
        return shared.callbacksInFlight();
    }

    @Override
    public void close() {
        near.clear();
        shared.close();
    }
}
