package io.github.jamescbv.store.memory;

import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.policy.CacheScope;
import io.github.jamescbv.policy.PackedVerdict;
import io.github.jamescbv.policy.ResultTtls;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The storage behind {@link InMemoryVerdictMemory}: verdicts, packed ({@link PackedVerdict}), with
 * an expiry, under address keys, domain keys and accept-all domain keys (one map per {@link CacheScope}), at most
 * {@code maxEntries} in all.
 *
 * <p><b>Reads</b> take no lock: one {@link ConcurrentHashMap#get}; only when an entry is there,
 * one wall-clock read for the expiry check (a miss reads no clock: about 20 ns on the benchmark VM,
 * more than the map read itself) and, the first time an entry is hit since it was last
 * considered for eviction, one plain write of its {@code referenced} hint. An expired entry
 * found by a read is removed only if the lock is free at that instant ({@code tryLock});
 * otherwise it is left for the next read or for eviction, so a read never waits.
 *
 * <p><b>Writes</b> (one per callback made, i.e. rare next to reads) hold one lock. Every
 * change to the maps happens under it, together with the change to the eviction list, so
 * "in a map" and "in the list" are the same thing and the bound is exact: room is made
 * before an insert, so no observer ever sees more than {@code maxEntries}.
 *
 * <p><b>Eviction</b>, when a new key arrives and the store is full:
 * <ol>
 * <li>expired entries go first: a sweep drops every expired entry, at most once per
 *     {@code maxEntries / 2} records so that its cost stays a few steps per record;</li>
 * <li>then the entry recorded longest ago goes, except that one hit since it was recorded
 *     (or since it was last passed over) gets a second chance and moves to the young end
 *     (the CLOCK approximation of least-recently-used; at most one pass over the list per
 *     eviction, so a read storm cannot keep it going).</li>
 * </ol>
 * A sender seen on every message therefore stays, while one-off forged senders age out.
 *
 * <p>Memory per entry: the {@link Entry} (key, packed verdict, expiry, two list links, a flag and the
 * scope: 40 bytes with compressed pointers) and the map's node and table slot; no timers, no threads.
 */
final class VerdictStore {
    private final int maxEntries;
    private final int sweepInterval;
    private final BiPredicate<byte[], byte[]> replaces;
    private final Ticker clock;
    private final ConcurrentHashMap<String, Entry> addresses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Entry> domains = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Entry> acceptAll = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Sentinel of the circular eviction list: head.next is the oldest, head.prev the youngest. Guarded by lock. */
    private final Entry head = new Entry(null, null, 0, CacheScope.NONE);
    /** Written under lock only; volatile so size() needs no lock and never sees a transient excess. */
    private volatile int count;
    private int recordsSinceSweep;

    /**
     * @param maxEntries at least 1
     * @param replaces   (incoming, held): whether a fresh verdict may take the place of a still-valid one
     * @param clock      expiry is in its wall-clock milliseconds
     */
    VerdictStore(int maxEntries, BiPredicate<byte[], byte[]> replaces, Ticker clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("bad maxEntries '" + maxEntries + "' (must be 1 or more)");
        }
        this.maxEntries = maxEntries;
        this.sweepInterval = Math.max(1, maxEntries / 2);
        this.replaces = replaces;
        this.clock = clock;
        head.prev = head;
        head.next = head;
    }

    /** The packed verdict held for {@code key} and still valid, or null. Never blocks. */
    byte[] get(CacheScope scope, String key) {
        Entry e = map(scope).get(key);
        if (e == null) {
            return null;
        }
        if (clock.wallMillis() >= e.expiresAt) {
            removeIfUncontended(e);
            return null;
        }
        // Read before write: an entry hit by every message is written once, not on every hit,
        // so its cache line is not bounced between cores. A lost update only costs a second chance.
        if (!e.referenced) {
            e.referenced = true;
        }
        return e.verdict;
    }

    /**
     * Holds {@code verdict} for {@code key} for {@code ttlMillis} (at least 1), unless a
     * still-valid verdict is held that it may not replace.
     *
     * @return whether it was stored
     */
    boolean put(CacheScope scope, String key, byte[] verdict, long ttlMillis) {
        ConcurrentHashMap<String, Entry> map = map(scope);
        lock.lock();
        try {
            long now = clock.wallMillis();
            long expiresAt = ResultTtls.expiry(now, ttlMillis);
            Entry held = map.get(key);
            if (held != null && now < held.expiresAt && !replaces.test(verdict, held.verdict)) {
                return false;
            }
            if (held == null) {
                makeRoom(now);
            }
            Entry fresh = new Entry(key, verdict, expiresAt, scope);
            // Replacing in place: a concurrent read sees the old or the new verdict, never a gap.
            map.put(key, fresh);
            if (held != null) {
                unlink(held);
            } else {
                count++;
            }
            linkYoungest(fresh);
            recordsSinceSweep++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * When the still-valid entry under {@code key} expires, in the clock's milliseconds, or 0 when
     * none is held; read apart from {@link #get} so that the hot path stays one map read.
     */
    long expiresAt(CacheScope scope, String key) {
        Entry e = map(scope).get(key);
        return e == null || clock.wallMillis() >= e.expiresAt ? 0 : e.expiresAt;
    }

    /**
     * Forgets whatever is held for {@code key}.
     *
     * @return whether something was
     */
    boolean remove(CacheScope scope, String key) {
        lock.lock();
        try {
            Entry held = map(scope).get(key);
            if (held != null) {
                drop(held);
            }
            return held != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets every entry of {@code scope} whose key matches: a walk of the whole list, for an
     * administrator's rare request, under the lock like any write.
     *
     * @return how many went
     */
    int removeIf(CacheScope scope, Predicate<String> key) {
        lock.lock();
        try {
            int removed = 0;
            Entry e = head.next;
            while (e != head) {
                Entry next = e.next;
                if (e.scope() == scope && key.test(e.key)) {
                    drop(e);
                    removed++;
                }
                e = next;
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        return count;
    }

    /** For tests: the maps, the list and the count agree. */
    boolean consistent() {
        lock.lock();
        try {
            int linked = 0;
            for (Entry e = head.next; e != head; e = e.next) {
                if (e.next.prev != e || map(e.scope()).get(e.key) != e) {
                    return false;
                }
                linked++;
            }
            return linked == count && addresses.size() + domains.size() + acceptAll.size() == count
                && count <= maxEntries;
        } finally {
            lock.unlock();
        }
    }

    private void removeIfUncontended(Entry e) {
        if (lock.tryLock()) {
            try {
                if (map(e.scope()).get(e.key) == e) {
                    drop(e);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Under lock: brings the count below maxEntries. */
    private void makeRoom(long now) {
        if (count < maxEntries) {
            return;
        }
        if (recordsSinceSweep >= sweepInterval) {
            sweepExpired(now);
            recordsSinceSweep = 0;
        }
        while (count >= maxEntries) {
            evictOne(now);
        }
    }

    private void sweepExpired(long now) {
        Entry e = head.next;
        while (e != head) {
            Entry next = e.next;
            if (now >= e.expiresAt) {
                drop(e);
            }
            e = next;
        }
    }

    private void evictOne(long now) {
        int secondChances = count;
        while (true) {
            Entry oldest = head.next;
            if (now >= oldest.expiresAt || !oldest.referenced || secondChances-- <= 0) {
                drop(oldest);
                return;
            }
            oldest.referenced = false;
            unlink(oldest);
            linkYoungest(oldest);
        }
    }

    /** Under lock: out of its map and the list. */
    private void drop(Entry e) {
        map(e.scope()).remove(e.key, e);
        unlink(e);
        count--;
    }

    private void linkYoungest(Entry e) {
        Entry last = head.prev;
        e.prev = last;
        e.next = head;
        last.next = e;
        head.prev = e;
    }

    private static void unlink(Entry e) {
        e.prev.next = e.next;
        e.next.prev = e.prev;
        e.prev = null;
        e.next = null;
    }

    private ConcurrentHashMap<String, Entry> map(CacheScope scope) {
        switch (scope) {
            case ADDRESS:
                return addresses;
            case DOMAIN:
                return domains;
            case ACCEPT_ALL:
                return acceptAll;
            default:
                throw new IllegalArgumentException("nothing is stored under scope " + scope);
        }
    }

    /** One held verdict. Immutable but for the eviction hint and the list links. */
    private static final class Entry {
        private static final CacheScope[] SCOPES = CacheScope.values();

        final String key;
        final byte[] verdict;
        final long expiresAt;
        /** The {@link CacheScope} ordinal: a byte, not a reference, keeps the entry at 40 bytes. */
        private final byte scopeOrdinal;
        /** Hit since last considered for eviction. Written by readers without the lock: a hint, races are harmless. */
        boolean referenced;
        /** Guarded by the store's lock. */
        Entry prev;
        Entry next;

        Entry(String key, byte[] verdict, long expiresAt, CacheScope scope) {
            this.key = key;
            this.verdict = verdict;
            this.expiresAt = expiresAt;
            this.scopeOrdinal = (byte) scope.ordinal();
        }

        CacheScope scope() {
            return SCOPES[scopeOrdinal];
        }
    }
}
