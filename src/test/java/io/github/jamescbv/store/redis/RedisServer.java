package io.github.jamescbv.store.redis;

import io.github.jamescbv.testing.peers.RedisClusterPeer;
import io.github.jamescbv.testing.peers.RedisPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's real Redis: one {@link RedisPeer} for the class, or a {@link RedisClusterPeer}
 * of three masters ({@link #cluster}), emptied before each test, and the links the test opened
 * closed after it. Register as a static field with {@code @RegisterExtension}, on a class marked
 * {@code @RequiresPeers(Need.REDIS)} ({@code Need.REDIS_CLUSTER}), which runs first and skips
 * the class when a program is missing.
 */
final class RedisServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    /**
     * A cluster link's first call also learns the topology from the seeds and connects to the
     * masters: on a busy test machine that outlasts the production default, for no fault of Redis's.
     */
    private static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(3);

    private final String name;
    private final boolean isCluster;
    private final List<RedisLink> links = new ArrayList<>();
    private RedisPeer peer;
    private RedisClusterPeer cluster;

    RedisServer(String name) {
        this(name, false);
    }

    private RedisServer(String name, boolean isCluster) {
        this.name = name;
        this.isCluster = isCluster;
    }

    /** A Redis Cluster of three masters instead of one Redis. */
    static RedisServer cluster(String name) {
        return new RedisServer(name, true);
    }

    RedisPeer peer() {
        return peer;
    }

    RedisClusterPeer cluster() {
        return cluster;
    }

    /** A new link to this Redis (every seed of the cluster), closed after the test. */
    RedisLink link() {
        return isCluster ? link(new RedisSettings(cluster.uri(), RedisSettings.DEFAULT_KEY_PREFIX, CLUSTER_TIMEOUT))
            : link(peer.uri(), RedisSettings.DEFAULT_TIMEOUT);
    }

    /** A new link to {@code uri} (this Redis or one that is not there), closed after the test. */
    RedisLink link(String uri, Duration timeout) {
        return link(new RedisSettings(uri, RedisSettings.DEFAULT_KEY_PREFIX, timeout));
    }

    /** A new link as {@code settings} say, closed after the test. */
    RedisLink link(RedisSettings settings) {
        RedisLink link = new RedisLink(settings);
        links.add(link);
        return link;
    }

    /** Closes the links opened so far (a node that stops), before the test ends. */
    void closeLinks() {
        links.forEach(RedisLink::close);
        links.clear();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (isCluster) {
            cluster = RedisClusterPeer.start(name, 3);
        } else {
            peer = RedisPeer.builder(name).start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (isCluster) {
            cluster.flushAll();
        } else {
            peer.command("FLUSHALL");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeLinks();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (peer != null) {
            peer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }
}
