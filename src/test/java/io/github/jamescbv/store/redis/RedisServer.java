package io.github.jamescbv.store.redis;

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
 * A test class's real Redis: one {@link RedisPeer} for the class, emptied before each test, and
 * the links the test opened closed after it. Register as a static field with
 * {@code @RegisterExtension}, on a class marked {@code @RequiresPeers(Need.REDIS)} (which runs
 * first and skips the class when redis-server is missing).
 */
final class RedisServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final String name;
    private final List<RedisLink> links = new ArrayList<>();
    private RedisPeer peer;

    RedisServer(String name) {
        this.name = name;
    }

    RedisPeer peer() {
        return peer;
    }

    /** A new link to this Redis, closed after the test. */
    RedisLink link() {
        return link(peer.uri(), RedisSettings.DEFAULT_TIMEOUT);
    }

    /** A new link to {@code uri} (this Redis or one that is not there), closed after the test. */
    RedisLink link(String uri, Duration timeout) {
        RedisLink link = new RedisLink(new RedisSettings(uri, RedisSettings.DEFAULT_KEY_PREFIX, timeout));
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
        peer = RedisPeer.builder(name).start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        peer.command("FLUSHALL");
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
    }
}
