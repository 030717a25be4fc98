package io.github.jamescbv.bench;

import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.PackedVerdict;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Heap retained by {@link InMemoryVerdictMemory} holding 100,000 realistic entries
 * ({@link CacheBenchData}): used heap after a full GC with the filled cache reachable, minus
 * the same before it was built, averaged over several runs. Then the parts, each measured the
 * same way in plain arrays (whose own 400 kB is subtracted): the keys alone, the verdicts as the
 * cache packs them ({@code byte[]}, see {@code PackedVerdict}), and, for comparison, the same
 * verdicts as objects, which is what the cache held before it packed them. What the cache uses
 * beyond its keys and packed verdicts is its own structure (entries, map nodes and tables).
 * Run with bench/cache.sh heap.
 *
 * <p>Argument: number of runs (default 5).
 */
public final class CacheHeapBench {
    private static final int ENTRIES = 100_000;
    private static final double MIB = 1024 * 1024;
    private static final double MB = 1_000_000;

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        fillCache(memory); // warm-up: loads and compiles everything once, outside the measurement
        long cacheTotal = 0;
        long keysTotal = 0;
        long packedTotal = 0;
        long objectsTotal = 0;
        for (int run = 1; run <= runs; run++) {
            long cache = fillCache(memory);
            long keys = fillArray(memory, CacheBenchData::address);
            long packed = fillArray(memory, i -> PackedVerdict.pack(cachedVerdict(i), CacheBenchData.domain(i)));
            long objects = fillArray(memory, CacheHeapBench::cachedVerdict);
            cacheTotal += cache;
            keysTotal += keys;
            packedTotal += packed;
            objectsTotal += objects;
            System.out.printf(Locale.ROOT, "run %d: cache %.1f MiB; keys alone %.1f MiB, packed verdicts alone %.1f MiB,"
                + " verdicts as objects %.1f MiB%n", run, cache / MIB, keys / MIB, packed / MIB, objects / MIB);
        }
        double cache = cacheTotal / (double) runs;
        double keys = keysTotal / (double) runs;
        double packed = packedTotal / (double) runs;
        double objects = objectsTotal / (double) runs;
        System.out.printf(Locale.ROOT, "average over %d runs, per %,d entries: cache %.1f MiB = %.1f MB (%.0f bytes/entry);"
                + " of which keys %.1f MiB (%.0f bytes/entry), packed verdicts %.1f MiB (%.0f bytes/entry),"
                + " cache structure %.1f MiB (%.0f bytes/entry); the same verdicts as objects would be %.1f MiB"
                + " (%.0f bytes/entry)%n",
            runs, ENTRIES, cache / MIB, cache / MB, cache / ENTRIES, keys / MIB, keys / ENTRIES, packed / MIB,
            packed / ENTRIES, (cache - keys - packed) / MIB, (cache - keys - packed) / ENTRIES, objects / MIB,
            objects / ENTRIES);
        System.out.printf(Locale.ROOT, "target (issue 4): under 50 MB per 100,000 entries: %s%n", cache / MB < 50 ? "met" : "MISSED");
    }

    private static Verdict cachedVerdict(int i) {
        return CacheBenchData.verdict(i).toBuilder().cached(true).build();
    }

    private static long fillCache(MemoryMXBean memory) {
        long before = usedAfterGc(memory);
        InMemoryVerdictMemory cache = new InMemoryVerdictMemory(CacheSettings.DEFAULTS);
        for (int i = 0; i < ENTRIES; i++) {
            cache.remember(CacheBenchData.address(i), CacheBenchData.domain(i), CacheBenchData.verdict(i));
        }
        if (cache.heldNow() != ENTRIES) {
            throw new IllegalStateException("cache holds " + cache.heldNow());
        }
        long after = usedAfterGc(memory);
        Reference.reachabilityFence(cache);
        return after - before;
    }

    /** What {@code ENTRIES} values made by {@code make} take, without the array holding them. */
    private static long fillArray(MemoryMXBean memory, IntFunction<Object> make) {
        long before = usedAfterGc(memory);
        Object[] values = new Object[ENTRIES];
        for (int i = 0; i < ENTRIES; i++) {
            values[i] = make.apply(i);
        }
        long after = usedAfterGc(memory);
        Reference.reachabilityFence(values);
        return after - before - (16 + 4L * ENTRIES);
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
