package io.github.jamescbv.store.redis;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.policy.VerdictMemoryContract;
import io.github.jamescbv.testing.ManualClock;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract every verdict memory keeps, against a real Redis Cluster of three masters, given
 * all of them as seeds (several URLs); each test on an empty cluster.
 */
@RequiresPeers(Need.REDIS_CLUSTER)
class RedisClusterVerdictMemoryContractTest extends VerdictMemoryContract {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.cluster("redis-cluster-verdict-contract");

    @Override
    protected VerdictMemory newMemory(CacheSettings settings, ManualClock clock) {
        return new RedisVerdictMemory(REDIS.link(), RedisSettings.DEFAULT_KEY_PREFIX, settings, clock, Duration.ofSeconds(30));
    }
}
