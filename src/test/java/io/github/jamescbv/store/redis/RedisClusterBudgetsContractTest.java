package io.github.jamescbv.store.redis;

import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.RemoteBudgets;
import io.github.jamescbv.policy.SharedRemoteBudgetsContract;
import io.github.jamescbv.testing.ManualClock;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract of budgets shared by several nodes, against a real Redis Cluster of three
 * masters, each node given one seed only ({@code <cluster>true</cluster>}): lettuce finds the
 * other masters from it. Each test on an empty cluster.
 */
@RequiresPeers(Need.REDIS_CLUSTER)
class RedisClusterBudgetsContractTest extends SharedRemoteBudgetsContract {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.cluster("redis-cluster-budgets-contract");

    @Override
    protected RemoteBudgets newBudgets(LimitSettings settings, ManualClock clock) {
        RedisSettings oneSeed = new RedisSettings(REDIS.cluster().masters().get(0).uri(), RedisSettings.DEFAULT_KEY_PREFIX,
            Duration.ofSeconds(3)).cluster(true);
        return new RedisBudgets(REDIS.link(oneSeed), RedisSettings.DEFAULT_KEY_PREFIX, settings, clock, clock);
    }

    /** Another link to the same cluster: another process, as far as Redis can tell. */
    @Override
    protected RemoteBudgets anotherNode(RemoteBudgets node, LimitSettings settings, ManualClock clock) {
        return newBudgets(settings, clock);
    }

    /** Nothing to do: a lease ends at its score, on the clock the budgets were given, not by a Redis TTL. */
    @Override
    protected void leaseTimePasses(Duration elapsed) {
    }
}
