package io.github.jamescbv.james;

import static io.github.jamescbv.james.CbvRuntimeTest.verify;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.store.redis.RedisSettings;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RedisClusterPeer;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The runtime with {@code <redis>} naming a Redis Cluster: two processes given its seeds share one memory. */
@RequiresPeers(Need.REDIS_CLUSTER)
class RedisClusterRuntimeTest {

    @Test
    void aVerdictFoundByOneNodeIsTheOtherNodesThroughTheCluster() throws Exception {
        FakeVerifier engineA = new FakeVerifier();
        FakeVerifier engineB = new FakeVerifier();
        try (RedisClusterPeer cluster = RedisClusterPeer.start("redis-runtime-cluster", 3);
             CbvRuntime a = new CbvRuntime(s -> engineA);
             CbvRuntime b = new CbvRuntime(s -> engineB)) {
            // A bound that a first call may spend learning the cluster's topology on a busy machine.
            Optional<RedisSettings> seeds = Optional.of(new RedisSettings(cluster.uri(), RedisSettings.DEFAULT_KEY_PREFIX,
                Duration.ofSeconds(3)));

            verify(node(a, engineA, seeds), "alice@remote.example");
            Verdict onB = verify(node(b, engineB, seeds), "alice@remote.example");

            assertThat(onB.cached()).as("node B answers from node A's verdict").isTrue();
            assertThat(engineB.asked()).isEmpty();
            assertThat(cluster.masters().stream().map(m -> m.command("EXISTS cbv:a:{remote.example}:alice@remote.example")))
                .as("on the one master of its slot").containsOnlyOnce(":1");
        }
    }

    private static GuardedVerifier node(CbvRuntime runtime, FakeVerifier engine, Optional<RedisSettings> redis) {
        return runtime.protect(engine, Duration.ofSeconds(5), CacheSettings.DEFAULTS, redis, LimitSettings.DEFAULTS, "node");
    }
}
