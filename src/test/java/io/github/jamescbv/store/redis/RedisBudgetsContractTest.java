package io.github.jamescbv.store.redis;

import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.RemoteBudgets;
import io.github.jamescbv.policy.SharedRemoteBudgetsContract;
import io.github.jamescbv.testing.ManualClock;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract of budgets shared by several nodes, against a real redis-server; each test on an empty Redis. */
@RequiresPeers(Need.REDIS)
class RedisBudgetsContractTest extends SharedRemoteBudgetsContract {
    @RegisterExtension
    static final RedisServer REDIS = new RedisServer("redis-budgets-contract");

    @Override
    protected RemoteBudgets newBudgets(LimitSettings settings, ManualClock clock) {
        return new RedisBudgets(REDIS.link(), RedisSettings.DEFAULT_KEY_PREFIX, settings, clock, clock);
    }

    /** Another link to the same Redis, with the same key prefix: another process, as far as Redis can tell. */
    @Override
    protected RemoteBudgets anotherNode(RemoteBudgets node, LimitSettings settings, ManualClock clock) {
        return newBudgets(settings, clock);
    }

    /** Nothing to do: a lease ends at its score, on the clock the budgets were given, not by a Redis TTL. */
    @Override
    protected void leaseTimePasses(Duration elapsed) {
    }
}
