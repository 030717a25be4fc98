package io.github.jamescbv.store.redis;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.policy.VerdictMemoryContract;
import io.github.jamescbv.testing.ManualClock;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract every verdict memory keeps, against a real redis-server; each test on an empty Redis. */
@RequiresPeers(Need.REDIS)
class RedisVerdictMemoryContractTest extends VerdictMemoryContract {
    @RegisterExtension
    static final RedisServer REDIS = new RedisServer("redis-verdict-contract");

    @Override
    protected VerdictMemory newMemory(CacheSettings settings, ManualClock clock) {
        return new RedisVerdictMemory(REDIS.link(), RedisSettings.DEFAULT_KEY_PREFIX, settings, clock, Duration.ofSeconds(30));
    }
}
