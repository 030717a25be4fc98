package io.github.jamescbv.policy;

import io.github.jamescbv.core.Ticker;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The addresses whose pass a renewal lately failed to renew (the remote said {@code transient}, a
 * limit had no room, our side failed), and until when no renewal of theirs is tried again: without
 * this pause, every mail of a busy sender whose remote keeps answering 4xx would start one more
 * callback as soon as the last one ended (Postfix, likewise, probes an address at most once per
 * 1000 s). The pass keeps answering meanwhile, until it expires.
 *
 * <p>In this process's memory only, at most {@code maxEntries}: when full, paused addresses that
 * are due again go; should none be, a new pause is not kept, and the limits alone bound that
 * address's renewals. Thread-safe, never blocks.
 */
final class RenewalPauses {
    private final ConcurrentHashMap<String, Long> until = new ConcurrentHashMap<>();
    private final Ticker ticker;
    private final long pauseNanos;
    private final int maxEntries;

    RenewalPauses(Ticker ticker, Duration pause, int maxEntries) {
        this.ticker = ticker;
        this.pauseNanos = pause.toNanos();
        this.maxEntries = maxEntries;
    }

    /** Whether no renewal of {@code address} may start now. */
    boolean paused(String address) {
        Long end = until.get(address);
        if (end == null) {
            return false;
        }
        if (ticker.nanoTime() - end < 0) {
            return true;
        }
        until.remove(address, end);
        return false;
    }

    /** No renewal of {@code address} for the pause from now. */
    void pause(String address) {
        long now = ticker.nanoTime();
        if (until.size() >= maxEntries && !until.containsKey(address)) {
            until.values().removeIf(end -> now - end >= 0);
            if (until.size() >= maxEntries) {
                return;
            }
        }
        until.put(address, now + pauseNanos);
    }

    int size() {
        return until.size();
    }
}
