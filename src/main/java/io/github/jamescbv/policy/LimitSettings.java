package io.github.jamescbv.policy;

import java.util.Objects;

/**
 * How hard we may call back: process-wide concurrency with a bounded queue, per remote
 * domain concurrency and rate, and per connecting client rate of new callbacks.
 */
public final class LimitSettings {
    public static final int DEFAULT_MAX_CONCURRENT = 64;
    public static final int DEFAULT_MAX_QUEUED = 1_000;
    public static final int DEFAULT_PER_DOMAIN_CONCURRENT = 2;
    public static final int DEFAULT_PER_DOMAIN_RATE = 30;
    public static final int DEFAULT_PER_CLIENT_RATE = 20;
    public static final LimitSettings DEFAULTS = new LimitSettings(DEFAULT_MAX_CONCURRENT, DEFAULT_MAX_QUEUED,
        DEFAULT_PER_DOMAIN_CONCURRENT, DEFAULT_PER_DOMAIN_RATE, DEFAULT_PER_CLIENT_RATE);

    private final int maxConcurrent;
    private final int maxQueued;
    private final int perDomainConcurrent;
    private final int perDomainRate;
    private final int perClientRate;

    /**
     * @param maxConcurrent       callbacks in flight in the whole process (at least 1)
     * @param maxQueued           requests waiting for one of those (0 or more); beyond: transient at once
     * @param perDomainConcurrent callbacks in flight to one called-back domain (at least 1)
     * @param perDomainRate       probes ({@code RCPT TO}s) per minute to one called-back domain, charged as
     *                            callbacks start (at least 1)
     * @param perClientRate       new callbacks per minute caused by one client IP address (at least 1)
     * @throws IllegalArgumentException naming the value when out of range
     */
    public LimitSettings(int maxConcurrent, int maxQueued, int perDomainConcurrent, int perDomainRate, int perClientRate) {
        this.maxConcurrent = checkMaxConcurrent(maxConcurrent);
        this.maxQueued = checkMaxQueued(maxQueued);
        this.perDomainConcurrent = checkPerDomainConcurrent(perDomainConcurrent);
        this.perDomainRate = checkPerDomainRate(perDomainRate);
        this.perClientRate = checkPerClientRate(perClientRate);
    }

    // Each range on its own, so that a configuration reader can check a value where it reads it.

    public static int checkMaxConcurrent(int v) {
        return atLeast(v, 1, "maxConcurrent");
    }

    public static int checkMaxQueued(int v) {
        return atLeast(v, 0, "maxQueued");
    }

    public static int checkPerDomainConcurrent(int v) {
        return atLeast(v, 1, "perDomainConcurrent");
    }

    public static int checkPerDomainRate(int v) {
        return atLeast(v, 1, "perDomainRate");
    }

    public static int checkPerClientRate(int v) {
        return atLeast(v, 1, "perClientRate");
    }

    public int maxConcurrent() { return maxConcurrent; }
    public int maxQueued() { return maxQueued; }
    public int perDomainConcurrent() { return perDomainConcurrent; }
    /** Per minute. */
    public int perDomainRate() { return perDomainRate; }
    /** Per minute. */
    public int perClientRate() { return perClientRate; }

    private static int atLeast(int v, int min, String name) {
        if (v < min) {
            throw new IllegalArgumentException("bad " + name + " '" + v + "' (must be " + min + " or more)");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LimitSettings)) {
            return false;
        }
        LimitSettings l = (LimitSettings) o;
        return maxConcurrent == l.maxConcurrent && maxQueued == l.maxQueued && perDomainConcurrent == l.perDomainConcurrent
            && perDomainRate == l.perDomainRate && perClientRate == l.perClientRate;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxConcurrent, maxQueued, perDomainConcurrent, perDomainRate, perClientRate);
    }

    @Override
    public String toString() {
        return "maxConcurrent=" + maxConcurrent + " maxQueued=" + maxQueued + " perDomainConcurrent=" + perDomainConcurrent
            + " perDomainRate=" + perDomainRate + "/min perClientRate=" + perClientRate + "/min";
    }
}
