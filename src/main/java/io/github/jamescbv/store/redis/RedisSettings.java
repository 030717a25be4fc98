package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.SafeText;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the shared store is and how it is used: a lettuce URI (as James's {@code redis.properties}
 * {@code redisURL}), the prefix of every key we write, the bound of each call, and the small
 * near-cache of this node in front of it. Validated here, so that a bad value fails at start
 * naming itself.
 */
public final class RedisSettings {
    public static final String DEFAULT_KEY_PREFIX = "cbv:";
    /** Short: a Redis that does not answer within it is a failed stage, and the caller goes on without it. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    /** A warm sender costs no round trip for this long after this node last saw its verdict. */
    public static final Duration DEFAULT_NEAR_CACHE_TIME = Duration.ofSeconds(5);
    /** Small: the near-cache holds the senders of the last seconds, not the cache (Redis is the cache). */
    public static final int DEFAULT_NEAR_CACHE_ENTRIES = 1_000;
    /** Keeps keys short and printable; the prefix also lands in SCAN patterns (escaped there all the same). */
    private static final int MAX_PREFIX = 64;
    /** A longer wait for Redis is no longer "short": the mail waiting behind it is what matters. */
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MAX_NEAR_CACHE_TIME = Duration.ofMinutes(5);
    private static final int MAX_NEAR_CACHE_ENTRIES = 1_000_000;

    private final String url;
    private final String keyPrefix;
    private final Duration timeout;
    private final int nearCacheEntries;
    private final Duration nearCacheTime;

    /** @throws IllegalArgumentException naming the value when the URL, the prefix or the timeout is not usable */
    public RedisSettings(String url, String keyPrefix, Duration timeout) {
        this(url, keyPrefix, timeout, DEFAULT_NEAR_CACHE_ENTRIES, DEFAULT_NEAR_CACHE_TIME);
    }

    /**
     * @param nearCacheEntries 0 turns the near-cache off: every lookup asks Redis
     * @throws IllegalArgumentException naming the value when any of them is not usable
     */
    public RedisSettings(String url, String keyPrefix, Duration timeout, int nearCacheEntries, Duration nearCacheTime) {
        this.url = checkUrl(url);
        this.keyPrefix = checkPrefix(keyPrefix);
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("bad timeout '" + (timeout == null ? null : Durations.format(timeout))
                + "' (more than 0, at most " + Durations.format(MAX_TIMEOUT) + ")");
        }
        this.timeout = timeout;
        if (nearCacheEntries < 0 || nearCacheEntries > MAX_NEAR_CACHE_ENTRIES) {
            throw new IllegalArgumentException("bad nearCacheEntries '" + nearCacheEntries + "' (0 to "
                + MAX_NEAR_CACHE_ENTRIES + ")");
        }
        this.nearCacheEntries = nearCacheEntries;
        if (nearCacheTime == null || nearCacheTime.isNegative() || nearCacheTime.compareTo(MAX_NEAR_CACHE_TIME) > 0) {
            throw new IllegalArgumentException("bad nearCacheTime '" + (nearCacheTime == null ? null
                : Durations.format(nearCacheTime)) + "' (0 to " + Durations.format(MAX_NEAR_CACHE_TIME) + ")");
        }
        this.nearCacheTime = nearCacheTime;
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

    public int nearCacheEntries() {
        return nearCacheEntries;
    }

    public Duration nearCacheTime() {
        return nearCacheTime;
    }

    /**
     * Refuses what lettuce would refuse later, at a worse moment: an unparseable URI, a scheme it
     * does not know, a URI without a host. Several URIs (a Redis Cluster's seeds) are not
     * supported: a Cluster spreads the keys of one script over its nodes.
     */
    private static String checkUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("empty url (expected redis://host:port, rediss://... or redis-sentinel://...)");
        }
        String trimmed = url.trim();
        if (trimmed.contains(",")) {
            throw new IllegalArgumentException("bad url '" + redact(trimmed) + "': several URLs name a Redis Cluster,"
                + " which is not supported; give one redis://, rediss:// or redis-sentinel:// URL");
        }
        try {
            RedisURI uri = RedisURI.create(trimmed);
            boolean sentinel = !uri.getSentinels().isEmpty();
            if (!sentinel && (uri.getHost() == null || uri.getHost().isEmpty())) {
                throw new IllegalArgumentException("no host");
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad url '" + redact(trimmed) + "' (expected redis://[password@]host:port/db,"
                + " rediss://... or redis-sentinel://...): " + SafeText.clean(String.valueOf(e.getMessage()), 120));
        }
        return trimmed;
    }

    /** The URL without its password, for logs and errors: {@code redis://***@host:6379}. */
    public static String redact(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        String shown = scheme >= 0 && at > scheme ? url.substring(0, scheme + 3) + "***" + url.substring(at) : url;
        return SafeText.clean(shown, 200);
    }

    private static String checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX
            || !prefix.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException("bad keyPrefix '" + SafeText.clean(String.valueOf(prefix), 80) + "' (1 to "
                + MAX_PREFIX + " printable ASCII characters, no space)");
        }
        return prefix;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RedisSettings)) {
            return false;
        }
        RedisSettings s = (RedisSettings) o;
        return url.equals(s.url) && keyPrefix.equals(s.keyPrefix) && timeout.equals(s.timeout)
            && nearCacheEntries == s.nearCacheEntries && nearCacheTime.equals(s.nearCacheTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, keyPrefix, timeout, nearCacheEntries, nearCacheTime);
    }

    @Override
    public String toString() {
        return "url=" + redact(url) + " keyPrefix=" + keyPrefix + " timeout=" + Durations.format(timeout)
            + " nearCacheEntries=" + nearCacheEntries + " nearCacheTime=" + Durations.format(nearCacheTime);
    }
}
