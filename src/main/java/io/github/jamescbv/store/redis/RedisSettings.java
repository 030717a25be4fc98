package io.github.jamescbv.store.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the shared store is and how long any one call to it may take: a lettuce URI (as James's
 * {@code redis.properties} {@code redisURL}), the prefix of every key we write, and the bound of
 * each call. Validated here, so that a bad value fails at start naming itself.
 */
public final class RedisSettings {
    public static final String DEFAULT_KEY_PREFIX = "cbv:";
    /** Short: a Redis that does not answer within it is a failed stage, and the caller goes on without it. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    /** Keeps keys short and printable; the prefix also lands in SCAN patterns (escaped there all the same). */
    private static final int MAX_PREFIX = 64;

    private final String url;
    private final String keyPrefix;
    private final Duration timeout;

    /** @throws IllegalArgumentException naming the value when the prefix or the timeout is out of range */
    public RedisSettings(String url, String keyPrefix, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url");
        this.keyPrefix = checkPrefix(keyPrefix);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("bad timeout '" + timeout + "' (must be more than 0)");
        }
        this.timeout = timeout;
    }

    public static RedisSettings of(String url) {
        return new RedisSettings(url, DEFAULT_KEY_PREFIX, DEFAULT_TIMEOUT);
    }

    public String url() {
        return url;
    }

    public String keyPrefix() {
        return keyPrefix;
    }

    public Duration timeout() {
        return timeout;
    }

    private static String checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX
            || !prefix.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("bad keyPrefix '" + prefix + "' (1 to " + MAX_PREFIX
                + " printable ASCII characters, no space)");
        }
        return prefix;
    }

    @Override
    public String toString() {
        return "url=" + url + " keyPrefix=" + keyPrefix + " timeout=" + timeout;
    }
}
