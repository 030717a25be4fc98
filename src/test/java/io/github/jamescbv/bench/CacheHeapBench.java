package io.github.jamescbv.bench;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.InMemoryVerdictCache;
import io.github.jamescbv.verify.Verdict;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.Locale;

/**
 * Heap retained by {@link InMemoryVerdictCache} holding 100,000 realistic entries
 * ({@link CacheBenchData}): used heap after a full GC with the filled cache reachable, minus
 * the same before it was built, averaged over several runs. For comparison, the same keys and
 * cached verdicts held in two plain arrays: the payload any cache must keep, so that the
 * difference is what the cache's own structure costs. Run with bench/cache.sh heap.
 *
 * <p>Argument: number of runs (default 5).
 */
public final class CacheHeapBench {
    private static final int ENTRIES = 100_000;
    private static final double MIB = 1024 * 1024;

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        fillCache(memory); // warm-up: loads and compiles everything once, outside the measurement
        long cacheTotal = 0;
        long payloadTotal = 0;
        for (int run = 1; run <= runs; run++) {
            long cache = fillCache(memory);
            long payload = fillArrays(memory);
            cacheTotal += cache;
            payloadTotal += payload;
            System.out.printf(Locale.ROOT, "run %d: cache %.1f MiB, payload alone %.1f MiB%n", run, cache / MIB, payload / MIB);
        }
        double cache = cacheTotal / (double) runs;
        double payload = payloadTotal / (double) runs;
        System.out.printf(Locale.ROOT, "average over %d runs, per %,d entries: cache %.1f MiB (%.0f bytes/entry), "
                + "of which keys and verdicts %.1f MiB (%.0f bytes/entry), cache structure %.1f MiB (%.0f bytes/entry)%n",
            runs, ENTRIES, cache / MIB, cache / ENTRIES, payload / MIB, payload / ENTRIES,
            (cache - payload) / MIB, (cache - payload) / ENTRIES);
    }

    private static long fillCache(MemoryMXBean memory) {
        long before = usedAfterGc(memory);
        InMemoryVerdictCache cache = new InMemoryVerdictCache(CacheSettings.DEFAULTS);
        for (int i = 0; i < ENTRIES; i++) {
            cache.record(CacheBenchData.address(i), CacheBenchData.domain(i), CacheBenchData.verdict(i));
        }
        if (cache.size() != ENTRIES) {
            throw new IllegalStateException("cache holds " + cache.size());
        }
        long after = usedAfterGc(memory);
        Reference.reachabilityFence(cache);
        return after - before;
    }

    /** The keys and the cached=true verdicts the cache would hold, in arrays (their 2 x 400 kB subtracted). */
    private static long fillArrays(MemoryMXBean memory) {
        long before = usedAfterGc(memory);
        String[] keys = new String[ENTRIES];
        Verdict[] verdicts = new Verdict[ENTRIES];
        for (int i = 0; i < ENTRIES; i++) {
            keys[i] = CacheBenchData.address(i);
            verdicts[i] = CacheBenchData.verdict(i).toBuilder().cached(true).build();
        }
        long after = usedAfterGc(memory);
        Reference.reachabilityFence(keys);
        Reference.reachabilityFence(verdicts);
        return after - before - 2L * (16 + 4L * ENTRIES);
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
