package io.github.jamescbv.store.memory;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheScope;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.PackedVerdict;
import io.github.jamescbv.policy.RefreshRule;
import io.github.jamescbv.policy.RememberRules;
import io.github.jamescbv.policy.Remembered;
import io.github.jamescbv.policy.ReplaceRule;
import io.github.jamescbv.policy.VerdictMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The default {@link VerdictMemory}: bounded, in this JVM's heap, lost on restart. What is kept
 * under which key and for how long is {@link RememberRules}; {@link #recallOrCall} asks the
 * address first, then the domain, then the callbacks in flight ({@link InFlightCalls}).
 *
 * <p>Keys are used as given and compared exactly: callers pass
 * {@link io.github.jamescbv.core.EmailAddress#toString()} and
 * {@link io.github.jamescbv.core.EmailAddress#domain()}, whose domain is already lower case,
 * so the local part stays case-sensitive (RFC 5321 section 2.4) and the hot path spends nothing
 * on case folding. A caller breaking this would only miss, never get another address's verdict.
 *
 * <p>A hit is the recorded verdict with {@code cached=true}, in an already completed stage: no
 * thread hop, no executor. Verdicts are kept packed ({@link PackedVerdict}: about 120 bytes
 * instead of about 330 as objects), so each hit builds a new, equal {@code Verdict}: a few
 * hundred bytes of short-lived garbage per hit, against keeping 100,000 entries under 50 MB.
 *
 * <h2>Bound and eviction</h2>
 * At most {@code maxEntries} addresses, domains and accept-all facts together, exactly, at every moment.
 * When full, expired entries go first, then the oldest recorded, with a second chance for
 * those hit since (see {@link VerdictStore}). Lookups never lock or block; records share one
 * lock, which is cheap because a record follows a whole SMTP callback. {@code maxEntries} 0
 * disables the memory: nothing is recorded, every lookup misses, callbacks in flight are still
 * shared.
 */
public final class InMemoryVerdictMemory implements VerdictMemory {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final CompletableFuture<DomainFacts> NO_FACTS = CompletableFuture.completedFuture(DomainFacts.NONE);
    private static final CompletableFuture<DomainFacts> ACCEPTS_ALL = CompletableFuture.completedFuture(DomainFacts.ACCEPTS_ALL);

    private final RememberRules rules;
    private final RefreshRule refresh;
    private final Ticker clock;
    /** Null when maxEntries is 0. */
    private final VerdictStore store;
    private final RememberRules.Writes writes;
    private final InFlightCalls inFlight = new InFlightCalls();

    /** With real time. */
    public InMemoryVerdictMemory(CacheSettings settings) {
        this(settings, Ticker.SYSTEM);
    }

    /** @param clock expiry is on its wall-clock milliseconds */
    public InMemoryVerdictMemory(CacheSettings settings, Ticker clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.rules = new RememberRules(settings);
        this.refresh = new RefreshRule(settings);
        this.store = settings.maxEntries() == 0 ? null
            : new VerdictStore(settings.maxEntries(), ReplaceRule::replacesPacked, clock);
        this.writes = store == null ? null : new StoreWrites(store);
    }

    @Override
    public CompletionStage<Verdict> recallOrCall(String address, String domain,
                                                 Supplier<? extends CompletionStage<Verdict>> callback) {
        Verdict hit = answer(address, domain);
        if (hit != null) {
            return CompletableFuture.completedFuture(hit);
        }
        return inFlight.join(address, callback);
    }

    /** The callbacks in flight are the same as {@link #recallOrCall}'s, which asks the store first. */
    @Override
    public CompletionStage<Verdict> refresh(String address, String domain,
                                            Supplier<? extends CompletionStage<Verdict>> callback) {
        return inFlight.join(address, callback);
    }

    /** The still-valid verdict for the address, else for its domain, else null: the hot path, no Optional. */
    private Verdict answer(String address, String domain) {
        if (store == null) {
            return null;
        }
        byte[] v = store.get(CacheScope.ADDRESS, address);
        if (v == null) {
            v = store.get(CacheScope.DOMAIN, domain);
        }
        return v == null ? null : refresh.unpack(v, domain, clock.wallMillis());
    }

    @Override
    public CompletionStage<List<Remembered>> recall(String address, String domain) {
        List<Remembered> held = new ArrayList<>(3);
        if (store != null) {
            addHeld(held, CacheScope.ADDRESS, address, domain);
            addHeld(held, CacheScope.DOMAIN, domain, domain);
            addHeld(held, CacheScope.ACCEPT_ALL, domain, domain);
        }
        return CompletableFuture.completedFuture(held);
    }

    private void addHeld(List<Remembered> held, CacheScope scope, String key, String domain) {
        byte[] v = store.get(scope, key);
        long expiresAt = store.expiresAt(scope, key);
        // an entry replaced or expired between the two reads is simply not shown
        if (v != null && expiresAt != 0) {
            held.add(refresh.remembered(scope, key, v, domain, clock.wallMillis(), expiresAt));
        }
    }

    @Override
    public CompletionStage<Void> remember(String address, String domain, Verdict verdict) {
        Objects.requireNonNull(verdict, "verdict");
        if (store != null) {
            rules.apply(address, domain, verdict, clock.wallMillis(), writes);
        }
        return DONE;
    }

    @Override
    public CompletionStage<DomainFacts> domainFacts(String domain) {
        return store != null && store.get(CacheScope.ACCEPT_ALL, domain) != null ? ACCEPTS_ALL : NO_FACTS;
    }

    @Override
    public CompletionStage<Boolean> forgetAddress(String address) {
        return CompletableFuture.completedFuture(store != null && store.remove(CacheScope.ADDRESS, address));
    }

    @Override
    public CompletionStage<Integer> forgetDomain(String domain) {
        if (store == null) {
            return CompletableFuture.completedFuture(0);
        }
        String suffix = "@" + domain;
        int forgotten = store.removeIf(CacheScope.ADDRESS, a -> a.endsWith(suffix))
            + (store.remove(CacheScope.DOMAIN, domain) ? 1 : 0)
            + (store.remove(CacheScope.ACCEPT_ALL, domain) ? 1 : 0);
        return CompletableFuture.completedFuture(forgotten);
    }

    @Override
    public CompletionStage<Long> size() {
        return CompletableFuture.completedFuture((long) heldNow());
    }

    /** Entries held now, synchronously: the in-memory count needs no wait. */
    public int heldNow() {
        return store == null ? 0 : store.size();
    }

    @Override
    public int callbacksInFlight() {
        return inFlight.size();
    }

    /** Nothing to let go of: the heap goes with the process. */
    @Override
    public void close() {
    }

    /** For tests: the internal structures agree with each other and with the bound. */
    boolean consistent() {
        return store == null || store.consistent();
    }

    /** The rules' writes, carried out on the store. */
    private static final class StoreWrites implements RememberRules.Writes {
        private final VerdictStore store;

        StoreWrites(VerdictStore store) {
            this.store = store;
        }

        @Override
        public void put(CacheScope scope, String key, byte[] packed, long ttlMillis) {
            store.put(scope, key, packed, ttlMillis);
        }

        @Override
        public void remove(CacheScope scope, String key) {
            store.remove(scope, key);
        }
    }
}
