package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.SafeText;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where the shared store is and how it is used: a lettuce URI (as James's {@code redis.properties}
 * {@code redisURL}; several comma-separated are the seeds of a Redis Cluster), whether it is a
 * cluster, the prefix of every key we write, the bound of each call, and the small near-cache of
 * this node in front of it. Validated here, so that a bad value fails at start naming itself.
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
    private final List<String> urls;
    private final boolean cluster;
    private final String keyPrefix;
    private final Duration timeout;
    private final int nearCacheEntries;
    private final Duration nearCacheTime;

    /** @throws IllegalArgumentException naming the value when the URL, the prefix or the timeout is not usable */
    public RedisSettings(String url, String keyPrefix, Duration timeout) {
        this(url, keyPrefix, timeout, DEFAULT_NEAR_CACHE_ENTRIES, DEFAULT_NEAR_CACHE_TIME);
    }

    /**
     * A Redis Cluster when {@code url} names several URIs (its seeds), else one Redis (or the
     * master of a Sentinel URI); see {@link #cluster(boolean)} for a cluster with one seed.
     *
     * @param nearCacheEntries 0 turns the near-cache off: every lookup asks Redis
     * @throws IllegalArgumentException naming the value when any of them is not usable
     */
    public RedisSettings(String url, String keyPrefix, Duration timeout, int nearCacheEntries, Duration nearCacheTime) {
        this(url, null, keyPrefix, timeout, nearCacheEntries, nearCacheTime);
    }

    /** @param cluster null: a cluster when several URIs are given */
    private RedisSettings(String url, Boolean cluster, String keyPrefix, Duration timeout, int nearCacheEntries,
                          Duration nearCacheTime) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("empty url (expected redis://host:port, rediss://... or redis-sentinel://...)");
        }
        this.url = url.trim();
        this.urls = List.copyOf(RedisUrls.split(this.url));
        this.cluster = cluster == null ? urls.size() > 1 : cluster;
        if (!this.cluster && urls.size() > 1) {
            throw new IllegalArgumentException("bad cluster 'false': the " + urls.size() + " URLs of '" + RedisUrls.redact(this.url)
                + "' are the seeds of a Redis Cluster; set cluster true, or give one URL");
        }
        urls.forEach(u -> RedisUrls.check(u, this.cluster));
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

    /**
     * The same settings, a Redis Cluster or not as told: {@code true} makes even one URI the seed
     * of a cluster (lettuce finds the other nodes from it).
     *
     * @throws IllegalArgumentException for {@code false} with several URIs, or URIs no cluster can have
     */
    public RedisSettings cluster(boolean isCluster) {
        return new RedisSettings(url, isCluster, keyPrefix, timeout, nearCacheEntries, nearCacheTime);
    }

    /** The text as given (trimmed): one URI, or several comma-separated. */
    public String url() {
        return url;
    }

    /** Each URI of {@link #url()}: one, or a cluster's seeds. */
    public List<String> urls() {
        return urls;
    }

    /** Whether {@link #urls()} are the seeds of a Redis Cluster. */
    public boolean cluster() {
        return cluster;
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

    /** The URL without its password, for logs and errors: {@code redis://***@host:6379}, each URI of a cluster's too. */
    public static String redact(String url) {
        return RedisUrls.redact(url);
    }

    private static String checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX
            || !prefix.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '{' && c != '}')) {
            // A brace would start the hash tag before the domain's, and a cluster would scatter one domain's keys.
            throw new IllegalArgumentException("bad keyPrefix '" + SafeText.clean(String.valueOf(prefix), 80) + "' (1 to "
                + MAX_PREFIX + " printable ASCII characters, no space, no '{' or '}')");
        }
        return prefix;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RedisSettings)) {
            return false;
        }
        RedisSettings s = (RedisSettings) o;
        return url.equals(s.url) && cluster == s.cluster && keyPrefix.equals(s.keyPrefix) && timeout.equals(s.timeout)
            && nearCacheEntries == s.nearCacheEntries && nearCacheTime.equals(s.nearCacheTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, cluster, keyPrefix, timeout, nearCacheEntries, nearCacheTime);
    }

    @Override
    public String toString() {
        return "url=" + redact(url) + " keyPrefix=" + keyPrefix + " cluster=" + cluster + " timeout=" + Durations.format(timeout)
            + " nearCacheEntries=" + nearCacheEntries + " nearCacheTime=" + Durations.format(nearCacheTime);
    }
}
