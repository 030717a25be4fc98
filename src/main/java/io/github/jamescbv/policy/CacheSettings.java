package io.github.jamescbv.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * Lifetimes per result and the size bound of the verdict cache; a zero TTL disables caching of that result.
 * A DNS failure ({@code transient} at stage {@code dns}) has a lifetime of its own, {@code dnsFailureTtl}
 * (at most {@code transientTtl}): see {@link RememberRules}.
 */
public final class CacheSettings {
    public static final Duration DEFAULT_PASS_TTL = Duration.ofDays(7);
    public static final Duration DEFAULT_ERROR_TTL = Duration.ofHours(3);
    public static final Duration DEFAULT_TRANSIENT_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_DNS_FAILURE_TTL = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_ENTRIES = 100_000;
    public static final CacheSettings DEFAULTS =
        new CacheSettings(DEFAULT_PASS_TTL, DEFAULT_ERROR_TTL, DEFAULT_TRANSIENT_TTL, DEFAULT_MAX_ENTRIES);

    private final Duration passTtl;
    private final Duration errorTtl;
    private final Duration transientTtl;
    private final int maxEntries;
    private final Duration dnsFailureTtl;

    /** With the default {@code dnsFailureTtl}. */
    public CacheSettings(Duration passTtl, Duration errorTtl, Duration transientTtl, int maxEntries) {
        this(passTtl, errorTtl, transientTtl, maxEntries, DEFAULT_DNS_FAILURE_TTL);
    }

    /** @throws IllegalArgumentException naming the value when a TTL is negative or maxEntries below 0 */
    public CacheSettings(Duration passTtl, Duration errorTtl, Duration transientTtl, int maxEntries, Duration dnsFailureTtl) {
        this.dnsFailureTtl = nonNegative(dnsFailureTtl, "dnsFailureTtl");
        this.passTtl = nonNegative(passTtl, "passTtl");
        this.errorTtl = nonNegative(errorTtl, "errorTtl");
        this.transientTtl = nonNegative(transientTtl, "transientTtl");
        if (maxEntries < 0) {
            throw new IllegalArgumentException("bad maxEntries '" + maxEntries + "' (must be 0 or more)");
        }
        this.maxEntries = maxEntries;
    }

    public Duration passTtl() { return passTtl; }
    public Duration errorTtl() { return errorTtl; }
    public Duration transientTtl() { return transientTtl; }
    /** 0 disables the cache altogether. */
    public int maxEntries() { return maxEntries; }
    /** How long a DNS failure that may be the domain's (SERVFAIL, timeout) answers for it; 0: not remembered. */
    public Duration dnsFailureTtl() { return dnsFailureTtl; }

    private static Duration nonNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException("bad " + name + " '" + d + "' (must be 0 or more)");
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CacheSettings)) {
            return false;
        }
        CacheSettings c = (CacheSettings) o;
        return passTtl.equals(c.passTtl) && errorTtl.equals(c.errorTtl) && transientTtl.equals(c.transientTtl)
            && maxEntries == c.maxEntries && dnsFailureTtl.equals(c.dnsFailureTtl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(passTtl, errorTtl, transientTtl, maxEntries, dnsFailureTtl);
    }

    @Override
    public String toString() {
        return "passTtl=" + passTtl + " errorTtl=" + errorTtl + " transientTtl=" + transientTtl + " maxEntries=" + maxEntries
            + " dnsFailureTtl=" + dnsFailureTtl;
    }
}
