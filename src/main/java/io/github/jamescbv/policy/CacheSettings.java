package io.github.jamescbv.policy;

import io.github.jamescbv.core.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * Lifetimes per result and the size bound of the verdict cache; a zero TTL disables caching of
 * that result. A DNS failure ({@code transient} at stage {@code dns}) has a lifetime of its own,
 * {@code dnsFailureTtl} (at most {@code transientTtl}): see {@link RememberRules}. And when a
 * remembered pass is refreshed ahead of its expiry ({@link #passRefresh()}).
 */
public final class CacheSettings {
    public static final Duration DEFAULT_PASS_TTL = Duration.ofDays(7);
    public static final Duration DEFAULT_ERROR_TTL = Duration.ofHours(3);
    public static final Duration DEFAULT_TRANSIENT_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_DNS_FAILURE_TTL = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_ENTRIES = 100_000;
    /**
     * A pass is refreshed once it is a day old (of the default 7 days), at most a quarter of its
     * lifetime: Postfix refreshes after 7 of 31 days; ours is renewed sooner because it lives shorter.
     */
    public static final Duration DEFAULT_PASS_REFRESH = Duration.ofDays(1);
    public static final CacheSettings DEFAULTS =
        new CacheSettings(DEFAULT_PASS_TTL, DEFAULT_ERROR_TTL, DEFAULT_TRANSIENT_TTL, DEFAULT_MAX_ENTRIES);

    private final Duration passTtl;
    private final Duration errorTtl;
    private final Duration transientTtl;
    private final int maxEntries;
    private final Duration dnsFailureTtl;
    private final Duration passRefresh;

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
        this.passRefresh = defaultPassRefresh(this.passTtl);
    }

    private CacheSettings(CacheSettings base, Duration passRefresh) {
        this.passTtl = base.passTtl;
        this.errorTtl = base.errorTtl;
        this.transientTtl = base.transientTtl;
        this.maxEntries = base.maxEntries;
        this.dnsFailureTtl = base.dnsFailureTtl;
        this.passRefresh = passRefresh;
    }

    /**
     * These settings, a pass being refreshed once it is {@code passRefresh} old; 0 never.
     *
     * @throws IllegalArgumentException naming the value when it is negative, or not below passTtl
     */
    public CacheSettings withPassRefresh(Duration passRefresh) {
        nonNegative(passRefresh, "passRefresh");
        if (!passRefresh.isZero() && passRefresh.compareTo(passTtl) >= 0) {
            throw new IllegalArgumentException("bad passRefresh '" + written(passRefresh) + "' (must be below passTtl "
                + written(passTtl) + ", or 0: never)");
        }
        return new CacheSettings(this, passRefresh);
    }

    public Duration passTtl() { return passTtl; }
    public Duration errorTtl() { return errorTtl; }
    public Duration transientTtl() { return transientTtl; }
    /** 0 disables the cache altogether. */
    public int maxEntries() { return maxEntries; }
    /** How long a DNS failure that may be the domain's (SERVFAIL, timeout) answers for it; 0: not remembered. */
    public Duration dnsFailureTtl() { return dnsFailureTtl; }
    /**
     * How old a remembered pass is when a mail it answers starts a callback in the background to
     * renew it; zero: never. Below {@link #passTtl()}. Unless set, {@link #DEFAULT_PASS_REFRESH},
     * or a quarter of passTtl when that is shorter.
     */
    public Duration passRefresh() { return passRefresh; }

    /** As an administrator writes it: 7d, 12h, 90s. */
    private static String written(Duration d) {
        if (!d.isZero() && d.toHours() * 3600 == d.getSeconds() && d.getNano() == 0) {
            return d.toHours() % 24 == 0 ? d.toDays() + "d" : d.toHours() + "h";
        }
        return Durations.format(d);
    }

    private static Duration defaultPassRefresh(Duration passTtl) {
        Duration quarter = passTtl.dividedBy(4);
        return quarter.compareTo(DEFAULT_PASS_REFRESH) < 0 ? quarter : DEFAULT_PASS_REFRESH;
    }

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
            && maxEntries == c.maxEntries && dnsFailureTtl.equals(c.dnsFailureTtl) && passRefresh.equals(c.passRefresh);
    }

    @Override
    public int hashCode() {
        return Objects.hash(passTtl, errorTtl, transientTtl, maxEntries, dnsFailureTtl, passRefresh);
    }

    @Override
    public String toString() {
        return "passTtl=" + passTtl + " errorTtl=" + errorTtl + " transientTtl=" + transientTtl + " maxEntries=" + maxEntries
            + " dnsFailureTtl=" + dnsFailureTtl + " passRefresh=" + passRefresh;
    }
}
