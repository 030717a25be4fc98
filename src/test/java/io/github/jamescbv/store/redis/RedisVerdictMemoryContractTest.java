package io.github.jamescbv.store.redis;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.policy.VerdictMemoryContract;
import io.github.jamescbv.testing.ManualClock;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RedisPeer;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The contract every verdict memory keeps, against a real redis-server; each test on an empty Redis. */
@RequiresPeers(Need.REDIS)
class RedisVerdictMemoryContractTest extends VerdictMemoryContract {
    private static RedisPeer redis;
    private RedisLink link;

    @BeforeAll
    static void startRedis() {
        redis = RedisPeer.builder("redis-verdict-contract").start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    protected VerdictMemory newMemory(CacheSettings settings, ManualClock clock) {
        redis.command("FLUSHALL");
        link = new RedisLink(RedisSettings.of(redis.uri()));
        return new RedisVerdictMemory(link, RedisSettings.DEFAULT_KEY_PREFIX, settings, clock, Duration.ofSeconds(30));
    }

    @AfterEach
    void closeLink() {
        link.close();
    }
}
