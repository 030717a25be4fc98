package io.github.jamescbv.bench;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.InMemoryVerdictCache;
import io.github.jamescbv.verify.Result;
import io.github.jamescbv.verify.Stage;
import io.github.jamescbv.verify.Verdict;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Nanoseconds per {@link InMemoryVerdictCache#lookup} on a warm, full cache of 100,000
 * entries (99,000 addresses and 1,000 domains, default settings). Run with bench/cache.sh.
 *
 * <ul>
 * <li>{@code hit}: an address entry answers (the common case for a returning sender);</li>
 * <li>{@code domainHit}: no address entry, the domain entry answers (two map reads);</li>
 * <li>{@code miss}: neither (two map reads, then the caller would start a callback);</li>
 * <li>{@code baselineMapGet}: a bare {@link ConcurrentHashMap#get} on a map of the same
 *     99,000 address keys and verdicts, looked up with the same keys as {@code hit}: the
 *     floor set by the hash table and the memory it touches, to tell the cache's own cost
 *     from the machine's.</li>
 * </ul>
 * The keys looked up are equal to, but not the same instances as, the stored keys, so
 * {@code equals} compares characters as it would for a key from an SMTP session; their hash
 * codes are computed once and then cached by String. Each thread walks the keys in a
 * shuffled order from its own starting point, so lookups touch memory all over the table.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class CacheLookupBench {
    static final int ADDRESS_ENTRIES = 99_000;
    static final int DOMAIN_ENTRIES = 1_000;
    private static final int KEYS = 1 << 16;

    private InMemoryVerdictCache cache;
    private ConcurrentHashMap<String, Verdict> bareMap;
    private final String[] hitAddresses = new String[KEYS];
    private final String[] hitDomains = new String[KEYS];
    private final String[] domainHitAddresses = new String[KEYS];
    private final String[] domainHitDomains = new String[KEYS];
    private final String[] missAddresses = new String[KEYS];
    private final String[] missDomains = new String[KEYS];

    @Setup
    public void fill() {
        cache = new InMemoryVerdictCache(CacheSettings.DEFAULTS);
        bareMap = new ConcurrentHashMap<>();
        for (int i = 0; i < ADDRESS_ENTRIES; i++) {
            cache.record(CacheBenchData.address(i), CacheBenchData.domain(i), CacheBenchData.verdict(i));
            bareMap.put(CacheBenchData.address(i), CacheBenchData.verdict(i));
        }
        for (int d = 0; d < DOMAIN_ENTRIES; d++) {
            String domain = "refusing-" + d + ".example.net";
            cache.record("a@" + domain, domain, Verdict.builder(Result.ERROR, Stage.MAIL).code(550)
                .text("5.7.1 null sender not accepted here").mxHost("mx." + domain).ip("192.0.2." + (d & 255))
                .domain(domain).build());
        }
        if (cache.size() != ADDRESS_ENTRIES + DOMAIN_ENTRIES) {
            throw new IllegalStateException("cache holds " + cache.size());
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int k = 0; k < KEYS; k++) {
            int i = random.nextInt(ADDRESS_ENTRIES);
            hitAddresses[k] = CacheBenchData.address(i);
            hitDomains[k] = CacheBenchData.domain(i);
            String refusing = "refusing-" + random.nextInt(DOMAIN_ENTRIES) + ".example.net";
            domainHitAddresses[k] = "someone" + k + "@" + refusing;
            domainHitDomains[k] = refusing;
            missAddresses[k] = String.format("n.body%06d@elsewhere-%05d.example.org", k, k % 5000);
            missDomains[k] = String.format("elsewhere-%05d.example.org", k % 5000);
        }
    }

    /** Each thread's position in the key arrays. */
    @State(Scope.Thread)
    public static class Cursor {
        private int next = ThreadLocalRandom.current().nextInt(KEYS);

        int advance() {
            next = (next + 1) & (KEYS - 1);
            return next;
        }
    }

    @Benchmark
    public Optional<Verdict> hit(Cursor c) {
        int k = c.advance();
        return cache.lookup(hitAddresses[k], hitDomains[k]);
    }

    @Benchmark
    public Optional<Verdict> domainHit(Cursor c) {
        int k = c.advance();
        return cache.lookup(domainHitAddresses[k], domainHitDomains[k]);
    }

    @Benchmark
    public Optional<Verdict> miss(Cursor c) {
        int k = c.advance();
        return cache.lookup(missAddresses[k], missDomains[k]);
    }

    @Benchmark
    public Verdict baselineMapGet(Cursor c) {
        return bareMap.get(hitAddresses[c.advance()]);
    }
}
