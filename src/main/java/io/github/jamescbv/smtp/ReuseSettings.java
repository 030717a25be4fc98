package io.github.jamescbv.smtp;

import io.github.jamescbv.core.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * How long and for how much a probe connection may be kept for the next probe to the same
 * address ({@link ConnectionPool}): how long it may wait idle, how many probes it serves, how old
 * it may get, and how many probes it may still serve once the remote has refused one of them.
 *
 * <p>The defaults are a careful operator's: Postfix keeps an idle connection 2 s
 * ({@code smtp_connection_cache_time_limit}); Exchange's receive connectors take 20 messages a
 * connection by default ({@code MaxMessagesPerConnection}); Postfix slows a session down after 10
 * errors and drops it after 20 ({@code smtpd_soft_error_limit}, {@code smtpd_hard_error_limit}),
 * and a session of ours never collects more than {@code 1 + afterRejected} refusals.
 * {@link #OFF}: every probe opens its own connection and ends it with QUIT.
 */
public final class ReuseSettings {
    public static final Duration DEFAULT_IDLE_TIME = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_PROBES = 20;
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofSeconds(60);
    public static final int DEFAULT_AFTER_REJECTED = 3;
    /** Longest idle wait: an idle connection holds a process of the remote (Postfix: one smtpd), not ours to keep long. */
    public static final Duration MAX_IDLE_TIME = Duration.ofMinutes(1);
    /** Postfix's {@code smtp_connection_reuse_time_limit} is 300 s; an hour is already far past any need. */
    public static final Duration MAX_LIFETIME = Duration.ofHours(1);
    public static final int MAX_PROBES = 1_000;

    public static final ReuseSettings DEFAULTS = new ReuseSettings(DEFAULT_IDLE_TIME, DEFAULT_MAX_PROBES,
        DEFAULT_MAX_LIFETIME, DEFAULT_AFTER_REJECTED);
    /** No connection is ever kept. */
    public static final ReuseSettings OFF = new ReuseSettings(Duration.ZERO, 1, DEFAULT_MAX_LIFETIME, DEFAULT_AFTER_REJECTED);

    private final Duration idleTime;
    private final int maxProbes;
    private final Duration maxLifetime;
    private final int afterRejected;

    /**
     * @param idleTime      how long a kept connection waits for the next probe before QUIT; 0: never kept
     * @param maxProbes     probes one connection serves at most; 1: never kept
     * @param maxLifetime   how long after its connect a connection may still be handed to a probe
     * @param afterRejected once a probe of the connection was refused (a 4xx or 5xx to MAIL FROM or
     *                      RCPT TO), how many more probes it may serve
     * @throws IllegalArgumentException naming the value when out of range
     */
    public ReuseSettings(Duration idleTime, int maxProbes, Duration maxLifetime, int afterRejected) {
        this.idleTime = checkIdleTime(idleTime);
        this.maxProbes = checkMaxProbes(maxProbes);
        this.maxLifetime = checkMaxLifetime(maxLifetime);
        this.afterRejected = checkAfterRejected(afterRejected);
    }

    // Each range on its own, so that a configuration reader can check a value where it reads it.

    public static Duration checkIdleTime(Duration d) {
        if (d == null || d.isNegative() || d.compareTo(MAX_IDLE_TIME) > 0) {
            throw new IllegalArgumentException("bad idleTime '" + describe(d) + "' (must be 0 or more and at most "
                + Durations.format(MAX_IDLE_TIME) + "; 0 keeps no connection)");
        }
        return d;
    }

    public static int checkMaxProbes(int n) {
        if (n < 1 || n > MAX_PROBES) {
            throw new IllegalArgumentException("bad maxProbes '" + n + "' (must be 1 to " + MAX_PROBES
                + "; 1 keeps no connection)");
        }
        return n;
    }

    public static Duration checkMaxLifetime(Duration d) {
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("bad maxLifetime '" + describe(d) + "' (must be more than zero and at most "
                + Durations.format(MAX_LIFETIME) + ")");
        }
        return d;
    }

    public static int checkAfterRejected(int n) {
        if (n < 0 || n > MAX_PROBES) {
            throw new IllegalArgumentException("bad afterRejected '" + n + "' (must be 0 to " + MAX_PROBES + ")");
        }
        return n;
    }

    public Duration idleTime() { return idleTime; }
    public int maxProbes() { return maxProbes; }
    public Duration maxLifetime() { return maxLifetime; }
    public int afterRejected() { return afterRejected; }

    /** Whether a connection is ever kept: more than one probe a connection, and some idle time. */
    public boolean enabled() {
        return maxProbes > 1 && !idleTime.isZero();
    }

    private static String describe(Duration d) {
        return d == null ? "none" : d.isNegative() ? d.toString() : Durations.format(d);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReuseSettings)) {
            return false;
        }
        ReuseSettings r = (ReuseSettings) o;
        return idleTime.equals(r.idleTime) && maxProbes == r.maxProbes && maxLifetime.equals(r.maxLifetime)
            && afterRejected == r.afterRejected;
    }

    @Override
    public int hashCode() {
        return Objects.hash(idleTime, maxProbes, maxLifetime, afterRejected);
    }

    @Override
    public String toString() {
        if (!enabled()) {
            return "reuse off";
        }
        return "idleTime=" + Durations.format(idleTime) + " maxProbes=" + maxProbes + " maxLifetime="
            + Durations.format(maxLifetime) + " afterRejected=" + afterRejected;
    }
}
