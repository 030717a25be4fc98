package io.github.jamescbv.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.RemoteBudgets;
import io.github.jamescbv.policy.RemoteBudgets.DomainLease;
import io.github.jamescbv.testing.ManualClock;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the shared budgets add to the contract: the budgets hold across nodes, and a Redis that is gone refuses slots, not clients. */
@RequiresPeers(Need.REDIS)
class RedisBudgetsTest {
    private static final Duration LONG = Duration.ofMinutes(10);
    private static final Duration LEASE = Duration.ofMinutes(2);
    @RegisterExtension
    static final RedisServer REDIS = new RedisServer("redis-budgets");
    private final ManualClock clock = new ManualClock();
    private final List<RemoteBudgets> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(RemoteBudgets::close);
    }

    @Test
    void theDomainSlotsAreTheClustersAndAReleaseOnOneNodeServesTheOther() {
        RemoteBudgets a = node(REDIS.peer().uri(), 2, 30, 20);
        RemoteBudgets b = node(REDIS.peer().uri(), 2, 30, 20);
        DomainLease onA = lease(a.acquire("example.com", clock.in(LONG), LEASE));
        lease(b.acquire("example.com", clock.in(LONG), LEASE));
        CompletableFuture<DomainLease> third = b.acquire("example.com", clock.in(LONG), LEASE).toCompletableFuture();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !third.isDone());
        onA.started();
        onA.release();
        // The release reaches Redis asynchronously: node B learns of it at the first of its looks
        // that comes after it, so the clock moves one look at a time until then.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            clock.advance(RedisBudgets.POLL);
            return third.isDone();
        });
        assertThat(lease(third).granted()).isTrue();
    }

    @Test
    void theRateOfADomainCountsTheStartsOfEveryNode() {
        RemoteBudgets a = node(REDIS.peer().uri(), 10, 3, 20);
        RemoteBudgets b = node(REDIS.peer().uri(), 10, 3, 20);
        for (RemoteBudgets n : List.of(a, b, a)) {
            DomainLease l = lease(n.acquire("example.com", clock.in(LONG), LEASE));
            l.started();
            l.release();
        }
        CompletableFuture<DomainLease> fourth = b.acquire("example.com", clock.in(Duration.ofSeconds(30)), LEASE).toCompletableFuture();
        clock.advance(Duration.ofSeconds(30));
        DomainLease refused = lease(fourth);
        assertThat(refused.granted()).isFalse();
        assertThat(refused.reason()).isEqualTo("domain example.com: rate of 3 per minute reached");
    }

    @Test
    void aClientOverItsRateOnOneNodeIsOverItOnTheOther() throws Exception {
        RemoteBudgets a = node(REDIS.peer().uri(), 2, 30, 4);
        RemoteBudgets b = node(REDIS.peer().uri(), 2, 30, 4);
        Optional<InetAddress> client = Optional.of(InetAddress.getByName("192.0.2.7"));
        for (int i = 0; i < 4; i++) {
            assertThat(charge(i % 2 == 0 ? a : b, client)).isEmpty();
        }
        assertThat(charge(b, client)).contains("client 192.0.2.7 exceeded 4 new callbacks per minute");
        assertThat(charge(a, client)).isPresent();
    }

    @Test
    void aRedisThatIsGoneFailsTheStagesSoThatTheFailoverInFrontAnswers() throws Exception {
        RemoteBudgets gone = node("redis://127.0.0.1:1", 2, 30, 1);
        CompletableFuture<DomainLease> slot = gone.acquire("example.com", clock.in(LONG), LEASE).toCompletableFuture();
        CompletableFuture<Optional<String>> charged = gone.chargeClient(Optional.of(InetAddress.getByName("192.0.2.7")))
            .toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> slot.isDone() && charged.isDone());
        assertThat(slot).isCompletedExceptionally();
        assertThat(charged).isCompletedExceptionally();
        assertThat(gone.waiting()).isZero();
    }

    private RemoteBudgets node(String uri, int perDomainConcurrent, int perDomainRate, int perClientRate) {
        RemoteBudgets b = new RedisBudgets(REDIS.link(uri, Duration.ofMillis(300)), RedisSettings.DEFAULT_KEY_PREFIX,
            new LimitSettings(100, 10, perDomainConcurrent, perDomainRate, perClientRate), clock, clock);
        nodes.add(b);
        return b;
    }

    private static DomainLease lease(java.util.concurrent.CompletionStage<DomainLease> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no lease", e);
        }
    }

    private static Optional<String> charge(RemoteBudgets b, Optional<InetAddress> client) throws Exception {
        return b.chargeClient(client).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
