package io.github.jamescbv.store.redis;

import static org.awaitility.Awaitility.await;

import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RequiresPeers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** When the link connects; what it sends is the stores' tests'. */
@RequiresPeers(Need.REDIS)
class RedisLinkTest {
    @RegisterExtension
    static final RedisServer REDIS = new RedisServer("redis-link");

    /**
     * Connected at its first call instead, a node's first call after start bore the connection's
     * set-up within its 500 ms bound, timed out on a busy machine, and the node answered alone for
     * its first seconds (two James nodes, TwoNodesRedisTest).
     */
    @Test
    void theConnectionIsOpenedWhenTheLinkIsMadeBeforeAnyCall() {
        RedisClient client = RedisClient.create(REDIS.peer().uri());
        try (StatefulRedisConnection<String, String> observer = client.connect()) {
            REDIS.link();
            await().atMost(Duration.ofSeconds(10)).until(() -> clients(observer) == 2);
        } finally {
            client.shutdown();
        }
    }

    /** Connections Redis has now, the observer's included. */
    private static long clients(StatefulRedisConnection<String, String> observer) {
        return observer.sync().clientList().lines().count();
    }
}
