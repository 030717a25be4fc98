package io.github.jamescbv.store.shared;

import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The answers a {@link NearCachedMemory} keeps at hand, by address: at most {@code maxEntries},
 * each until its own moment on the ticker. Lookups take no lock; inserts (which follow a round
 * trip to the shared store anyway) share one. When full, the entry inserted first goes: all live
 * about as long, so that is about the one nearest its end.
 *
 * <p>An insert races with the invalidations: an answer read from the shared store before a write
 * and inserted after it would bring back what the write replaced. So every invalidation moves a
 * generation on, and an insert is dropped when the generation moved since its read began.
 */
final class NearCache {
    private final int maxEntries;
    private final Ticker ticker;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    // guarded by itself: insertion order, with entries since replaced or removed left in until skipped
    private final ArrayDeque<Entry> order = new ArrayDeque<>();

    NearCache(int maxEntries, Ticker ticker) {
        this.maxEntries = maxEntries;
        this.ticker = ticker;
    }

    /** The verdict held for {@code address} and still valid, or null. */
    Verdict get(String address) {
        Entry e = entries.get(address);
        if (e == null) {
            return null;
        }
        if (ticker.nanoTime() - e.validUntilNanos >= 0) {
            entries.remove(address, e);
            return null;
        }
        return e.verdict;
    }

    /** The generation to hand to {@link #put} for a read that starts now. */
    long generation() {
        return generation.get();
    }

    /**
     * Keeps {@code verdict} for {@code address} for {@code lifetimeNanos}, unless an
     * invalidation came after {@code readGeneration}.
     */
    void put(String address, String domain, Verdict verdict, boolean domainWide, long lifetimeNanos, long readGeneration) {
        if (lifetimeNanos <= 0 || maxEntries == 0) {
            return;
        }
        Entry e = new Entry(address, domain, verdict, domainWide, ticker.nanoTime() + lifetimeNanos);
        synchronized (order) {
            if (generation.get() != readGeneration) {
                return;
            }
            while (entries.size() >= maxEntries && !entries.containsKey(address)) {
                Entry oldest = order.poll();
                if (oldest == null) {
                    break;
                }
                entries.remove(oldest.address, oldest);
            }
            entries.put(address, e);
            order.add(e);
            if (order.size() > 2 * maxEntries) {
                // entries replaced or invalidated since: drop them now and then, not one by one
                order.removeIf(o -> entries.get(o.address) != o);
            }
        }
    }

    /** Drops {@code address}'s entry. */
    void invalidate(String address) {
        synchronized (order) {
            generation.incrementAndGet();
            entries.remove(address);
        }
    }

    /** Drops {@code address}'s entry and every entry answered by the verdict of {@code domain}. */
    void invalidateAddressAndDomainWide(String address, String domain) {
        invalidateIf(e -> e.address.equals(address) || (e.domainWide && e.domain.equals(domain)));
    }

    /** Drops every entry of {@code domain}. */
    void invalidateDomain(String domain) {
        invalidateIf(e -> e.domain.equals(domain));
    }

    void clear() {
        invalidateIf(e -> true);
    }

    private void invalidateIf(Predicate<Entry> which) {
        synchronized (order) {
            generation.incrementAndGet();
            entries.values().removeIf(which);
        }
    }

    int size() {
        return entries.size();
    }

    private static final class Entry {
        final String address;
        final String domain;
        final Verdict verdict;
        /** Answered by the domain's verdict, not the address's own. */
        final boolean domainWide;
        final long validUntilNanos;

        Entry(String address, String domain, Verdict verdict, boolean domainWide, long validUntilNanos) {
            this.address = address;
            this.domain = domain;
            this.verdict = verdict;
            this.domainWide = domainWide;
            this.validUntilNanos = validUntilNanos;
        }
    }
}
