package io.github.jamescbv.store.redis;

import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.RemoteBudgets;
import io.github.jamescbv.policy.SharedRemoteBudgetsContract;
import io.github.jamescbv.testing.ManualClock;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RedisPeer;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The contract of budgets shared by several nodes, against a real redis-server; each test on an empty Redis. */
@RequiresPeers(Need.REDIS)
class RedisBudgetsContractTest extends SharedRemoteBudgetsContract {
    private static RedisPeer redis;
    private final List<RedisLink> links = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisPeer.builder("redis-budgets-contract").start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void empty() {
        redis.command("FLUSHALL");
    }

    @AfterEach
    void closeLinks() {
        links.forEach(RedisLink::close);
    }

    @Override
    protected RemoteBudgets newBudgets(LimitSettings settings, ManualClock clock) {
        RedisLink link = new RedisLink(RedisSettings.of(redis.uri()));
        links.add(link);
        return new RedisBudgets(link, RedisSettings.DEFAULT_KEY_PREFIX, settings, clock, clock);
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
