package io.github.jamescbv.bench;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Nanoseconds per {@link InMemoryVerdictMemory#recallOrCall} on a warm, full memory (default
 * settings; 99% address entries, 1% domain entries), the step every verification starts with.
 * Run with bench/cache.sh.
 *
 * <ul>
 * <li>{@code hit}: an address entry answers (the common case for a returning sender), in an
 *     already completed stage;</li>
 * <li>{@code domainHit}: no address entry, the domain entry answers (two map reads);</li>
 * <li>{@code miss}: neither (two map reads), then the address is claimed for a callback that
 *     ends at once, and freed (before the memory was asynchronous this benchmark stopped at the
 *     two reads; the claim was measured nowhere);</li>
 * <li>{@code baselineMapGet}: a bare {@link ConcurrentHashMap#get} on a map of the same
 *     address keys and verdicts, looked up with the same keys as {@code hit}: the floor set
 *     by the hash table and the memory it touches.</li>
 * </ul>
 * {@code entries} = 100,000 is the size the issue asks about: its keys, nodes and entries do
 * not fit in the CPU caches, so a lookup mostly waits for memory. {@code entries} = 1,000 fits
 * in them and shows what the code itself costs.
 *
 * <p>The keys looked up are equal to, but not the same instances as, the stored keys, so
 * {@code equals} compares characters as it would for a key from an SMTP session; their hash
 * codes are computed once and then cached by String. Each thread walks the keys in a
 * shuffled order from its own starting point.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class CacheLookupBench {
    private static final int MAX_KEYS = 1 << 16;

    @Param({"100000", "1000"})
    public int entries;

    /** A callback that ends at once: what a miss costs the memory itself. */
    private static final Supplier<CompletionStage<Verdict>> ENDS_AT_ONCE =
        () -> CompletableFuture.completedFuture(Verdict.builder(Result.ERROR, Stage.RCPT).build());

    private InMemoryVerdictMemory cache;
    private ConcurrentHashMap<String, Verdict> bareMap;
    /** One less than the number of lookup keys, a power of two: the cursor's mask. */
    private int keyMask;
    private String[] hitAddresses;
    private String[] hitDomains;
    private String[] domainHitAddresses;
    private String[] domainHitDomains;
    private String[] missAddresses;
    private String[] missDomains;

    @Setup
    public void fill() {
        int domainEntries = entries / 100;
        int addressEntries = entries - domainEntries;
        cache = new InMemoryVerdictMemory(new CacheSettings(CacheSettings.DEFAULT_PASS_TTL,
            CacheSettings.DEFAULT_ERROR_TTL, CacheSettings.DEFAULT_TRANSIENT_TTL, entries));
        bareMap = new ConcurrentHashMap<>();
        for (int i = 0; i < addressEntries; i++) {
            cache.remember(CacheBenchData.address(i), CacheBenchData.domain(i), CacheBenchData.verdict(i));
            bareMap.put(CacheBenchData.address(i), CacheBenchData.verdict(i));
        }
        for (int d = 0; d < domainEntries; d++) {
            String domain = refusingDomain(d);
            cache.remember("a@" + domain, domain, Verdict.builder(Result.ERROR, Stage.MAIL).code(550)
                .text("5.7.1 null sender not accepted here").mxHost("mx." + domain).ip("192.0.2." + (d & 255))
                .domain(domain).build());
        }
        if (cache.heldNow() != entries) {
            throw new IllegalStateException("cache holds " + cache.heldNow());
        }
        int keys = Math.min(MAX_KEYS, Integer.highestOneBit(addressEntries));
        keyMask = keys - 1;
        hitAddresses = new String[keys];
        hitDomains = new String[keys];
        domainHitAddresses = new String[keys];
        domainHitDomains = new String[keys];
        missAddresses = new String[keys];
        missDomains = new String[keys];
        SplittableRandom random = new SplittableRandom(42);
        for (int k = 0; k < keys; k++) {
            int i = random.nextInt(addressEntries);
            hitAddresses[k] = CacheBenchData.address(i);
            hitDomains[k] = CacheBenchData.domain(i);
            String refusing = refusingDomain(random.nextInt(domainEntries));
            domainHitAddresses[k] = "someone" + k + "@" + refusing;
            domainHitDomains[k] = refusing;
            missAddresses[k] = String.format("n.body%06d@elsewhere-%05d.example.org", k, k % 5000);
            missDomains[k] = String.format("elsewhere-%05d.example.org", k % 5000);
        }
        // A warm cache in a running server lives in the old generation. Without this, the young
        // collections caused by the benchmark's own allocation (the verdict and completed stage of a hit) would
        // still be copying the freshly filled entries about, and time that instead of lookups.
        System.gc();
    }

    private static String refusingDomain(int d) {
        return "refusing-" + d + ".example.net";
    }

    /** Each thread's position in the key arrays. */
    @State(Scope.Thread)
    public static class Cursor {
        private int next = ThreadLocalRandom.current().nextInt(MAX_KEYS);

        int advance(int mask) {
            next = (next + 1) & mask;
            return next;
        }
    }

    @Benchmark
    public CompletionStage<Verdict> hit(Cursor c) {
        int k = c.advance(keyMask);
        return cache.recallOrCall(hitAddresses[k], hitDomains[k], ENDS_AT_ONCE);
    }

    @Benchmark
    public CompletionStage<Verdict> domainHit(Cursor c) {
        int k = c.advance(keyMask);
        return cache.recallOrCall(domainHitAddresses[k], domainHitDomains[k], ENDS_AT_ONCE);
    }

    @Benchmark
    public CompletionStage<Verdict> miss(Cursor c) {
        int k = c.advance(keyMask);
        return cache.recallOrCall(missAddresses[k], missDomains[k], ENDS_AT_ONCE);
    }

    @Benchmark
    public Verdict baselineMapGet(Cursor c) {
        return bareMap.get(hitAddresses[c.advance(keyMask)]);
    }
}
