package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheScope;
import io.github.jamescbv.policy.RefreshRule;
import io.github.jamescbv.policy.Remembered;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The lookups of the Redis verdict memory: each a GET per key, sent together, read against the
 * store's clock. A name too long to be a key is simply not held; a value that does not read
 * fails the stage ({@link UnreadableReply}).
 */
final class VerdictReads {
    private static final CompletableFuture<byte[]> NOTHING = CompletableFuture.completedFuture(null);

    private final RedisLink link;
    private final RedisKeys keys;
    private final Ticker clock;
    private final RefreshRule refresh;

    VerdictReads(RedisLink link, RedisKeys keys, Ticker clock, RefreshRule refresh) {
        this.link = link;
        this.keys = keys;
        this.clock = clock;
        this.refresh = refresh;
    }

    /** The still-valid verdict for the address, else for its domain, marked cached (and refreshing when due); null when neither. */
    CompletableFuture<Verdict> answer(String address, String domain) {
        CompletableFuture<byte[]> own = get(CacheScope.ADDRESS, address);
        CompletableFuture<byte[]> domains = get(CacheScope.DOMAIN, domain);
        return own.thenCombine(domains, (a, d) -> {
            long now = clock.wallMillis();
            StoredVerdict held = StoredVerdict.decode(a, now);
            if (held == null) {
                held = StoredVerdict.decode(d, now);
            }
            return held == null ? null : held.verdict(domain, refresh, now);
        });
    }

    CompletableFuture<List<Remembered>> recall(String address, String domain) {
        CompletableFuture<byte[]> own = get(CacheScope.ADDRESS, address);
        CompletableFuture<byte[]> domains = get(CacheScope.DOMAIN, domain);
        CompletableFuture<byte[]> fact = get(CacheScope.ACCEPT_ALL, domain);
        return CompletableFuture.allOf(own, domains, fact).thenApply(all -> {
            long now = clock.wallMillis();
            List<Remembered> held = new ArrayList<>(3);
            add(held, CacheScope.ADDRESS, address, domain, own.join(), now);
            add(held, CacheScope.DOMAIN, domain, domain, domains.join(), now);
            add(held, CacheScope.ACCEPT_ALL, domain, domain, fact.join(), now);
            return held;
        });
    }

    CompletableFuture<DomainFacts> facts(String domain) {
        return get(CacheScope.ACCEPT_ALL, domain)
            .thenApply(f -> StoredVerdict.decode(f, clock.wallMillis()) == null ? DomainFacts.NONE : DomainFacts.ACCEPTS_ALL);
    }

    private CompletableFuture<byte[]> get(CacheScope scope, String name) {
        return RedisKeys.fits(name) ? link.call(c -> c.get(keys.verdict(scope, name))) : NOTHING;
    }

    private void add(List<Remembered> held, CacheScope scope, String key, String domain, byte[] stored, long now) {
        StoredVerdict v = StoredVerdict.decode(stored, now);
        if (v != null) {
            held.add(v.remembered(scope, key, domain, refresh, now));
        }
    }
}
