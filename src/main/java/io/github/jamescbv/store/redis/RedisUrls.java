package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.SafeText;
import io.lettuce.core.RedisURI;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The text of {@code <url>}, as James's {@code redis.properties} {@code redisURL}: one lettuce
 * URI, or several separated by commas, the seeds of a Redis Cluster. Checked here for what
 * lettuce would refuse later, at a worse moment, or silently take for something else.
 */
final class RedisUrls {
    /**
     * A comma that starts another URI. A Sentinel URI lists its sentinels with commas
     * ({@code redis-sentinel://h1:26379,h2:26379/0#m}): those belong to the one URI.
     */
    private static final Pattern NEXT_URL = Pattern.compile(",\\s*(?=[A-Za-z][A-Za-z0-9+.-]*://)");
    private static final String EXPECTED = "expected redis://[password@]host:port/db, rediss://..."
        + " or redis-sentinel://..., several comma-separated for a Redis Cluster";

    private RedisUrls() {
    }

    /** The URIs of a trimmed, non-blank text, each trimmed, in the order given. */
    static List<String> split(String text) {
        return Arrays.stream(NEXT_URL.split(text)).map(String::trim).collect(Collectors.toList());
    }

    /**
     * Refuses an unparseable URI, a scheme lettuce does not know, a URI without a host, several
     * hosts in one {@code redis://} URI (lettuce would take "a:1,b:2" for one host name), and in
     * a cluster what a cluster cannot be: a Sentinel URI, or a database other than 0.
     */
    static void check(String url, boolean cluster) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (RuntimeException e) {
            throw bad(url, EXPECTED + ": " + SafeText.clean(String.valueOf(e.getMessage()), 120));
        }
        boolean sentinel = !uri.getSentinels().isEmpty();
        if (!sentinel && (uri.getHost() == null || uri.getHost().isEmpty())) {
            throw bad(url, EXPECTED + ": no host");
        }
        if (!sentinel && uri.getHost().contains(",")) {
            throw bad(url, "one host per URL; give each node its own, comma-separated: redis://h1:7000,redis://h2:7001");
        }
        if (cluster && sentinel) {
            throw bad(url, "a Redis Cluster is found through its own nodes, not through Sentinel");
        }
        if (cluster && uri.getDatabase() != 0) {
            throw bad(url, "a Redis Cluster has only database 0");
        }
    }

    /** The text without any password, for logs and errors: {@code redis://***@host:6379}, each URI on its own. */
    static String redact(String text) {
        String shown = split(text).stream().map(RedisUrls::redactOne).collect(Collectors.joining(","));
        return SafeText.clean(shown, 200);
    }

    private static String redactOne(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        return scheme >= 0 && at > scheme ? url.substring(0, scheme + 3) + "***" + url.substring(at) : url;
    }

    private static IllegalArgumentException bad(String url, String why) {
        return new IllegalArgumentException("bad url '" + redact(url) + "' (" + why + ")");
    }
}
