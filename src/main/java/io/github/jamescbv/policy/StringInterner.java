package io.github.jamescbv.policy;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes equal strings of cached verdicts one object: the addresses of a domain share its
 * domain name, MX host names, IP addresses, enhanced codes and most reply texts, and a
 * hundred thousand cached verdicts would otherwise hold a copy of each per entry.
 *
 * <p>Bounded: when it holds {@code capacity} strings it starts afresh. Verdicts already
 * cached keep the strings they have; only the sharing with later ones is lost, so the worst
 * case is the memory the cache would use without an interner. No weak references and no
 * reference counting: this is a space optimisation, never a correctness concern.
 */
final class StringInterner {
    private final int capacity;
    private volatile ConcurrentHashMap<String, String> strings = new ConcurrentHashMap<>();

    StringInterner(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    String intern(String s) {
        ConcurrentHashMap<String, String> map = strings;
        String held = map.putIfAbsent(s, s);
        if (held != null) {
            return held;
        }
        if (map.size() > capacity) {
            strings = new ConcurrentHashMap<>();
        }
        return s;
    }
}
