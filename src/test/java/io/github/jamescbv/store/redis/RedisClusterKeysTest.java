package io.github.jamescbv.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RedisPeer;
import io.github.jamescbv.testing.peers.RequiresPeers;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a Redis Cluster changes for the memory: the domains' keys spread over every master, each
 * domain's in one slot, and the walks over all keys (size, forgetDomain) reach every master.
 */
@RequiresPeers(Need.REDIS_CLUSTER)
class RedisClusterKeysTest {
    /**
     * Ten domains in each third of the slots (redis-cli gives each of three masters a third):
     * names alike hash alike, so they are picked by their slot rather than hoped for.
     */
    private static final List<String> DOMAINS = IntStream.range(0, 3).boxed().flatMap(third -> IntStream.range(0, 10_000)
            .mapToObj(i -> "d" + i + ".test").filter(d -> SlotHash.getSlot(d) * 3 / SlotHash.SLOT_COUNT == third).limit(10))
        .collect(Collectors.toList());
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.cluster("redis-cluster-keys");

    @Test
    void sizeAndForgetDomainReachTheKeysOfEveryMaster() throws Exception {
        VerdictMemory memory = freshMemory();
        for (String d : DOMAINS) {
            value(memory.remember("a@" + d, d, verdict(d, Result.PASS, Stage.RCPT)));
            value(memory.remember("{b}@" + d, d, verdict(d, Result.ERROR, Stage.RCPT)));
            value(memory.remember("c@" + d, d, verdict(d, Result.ERROR, Stage.MAIL))); // held under the domain
        }
        Set<Integer> slots = DOMAINS.stream().map(REDIS.cluster()::keySlot).collect(Collectors.toSet());
        assertThat(slots).as("the domains' slots, by CLUSTER KEYSLOT").hasSizeGreaterThan(20)
            .containsExactlyInAnyOrderElementsOf(DOMAINS.stream().map(SlotHash::getSlot).collect(Collectors.toSet()));
        assertThat(DOMAINS).allSatisfy(d -> assertThat(REDIS.cluster().keySlot("cbv:a:{" + d + "}:{b}@" + d))
            .as("an address's key is in its domain's slot").isEqualTo(SlotHash.getSlot(d)));
        List<RedisPeer> masters = masters();
        assertThat(masters).as("every master holds some domains").allSatisfy(m -> assertThat(dbSize(m)).isPositive());

        assertThat(value(memory.size())).isEqualTo(3L * DOMAINS.size());
        for (String d : DOMAINS) {
            assertThat(value(memory.forgetDomain(d))).as(d).isEqualTo(3);
        }

        assertThat(masters).allSatisfy(m -> assertThat(dbSize(m)).as("port " + m.port()).isZero());
        assertThat(value(memory.size())).isZero();
    }

    /** Its first call waits for the connection: the walk then goes on from lettuce's event loop, which it must not block. */
    @Test
    void aWalkAskedBeforeTheLinkIsConnectedEnds() throws Exception {
        assertThat(value(freshMemory().size())).isZero();
        assertThat(value(freshMemory().forgetDomain("d1.test"))).isZero();
    }

    @Test
    void aCallbackInFlightIsClaimedInItsDomainsSlotAndNotCounted() throws Exception {
        VerdictMemory memory = freshMemory();
        CompletableFuture<Verdict> running = new CompletableFuture<>();
        memory.recallOrCall("\"x}:a:y\"@d1.test", "d1.test", () -> running);

        await().atMost(Duration.ofSeconds(5)).until(() -> masters().stream().mapToLong(RedisClusterKeysTest::dbSize).sum() == 1);
        RedisPeer holder = masters().stream().filter(m -> dbSize(m) == 1).findFirst().orElseThrow();
        assertThat(holder.command("GET d1.test")).as("the claim's master serves its domain's slot").doesNotStartWith("-MOVED");
        assertThat(value(memory.size())).as("a claim is no verdict, whatever its address imitates").isZero();
        running.complete(verdict("d1.test", Result.PASS, Stage.RCPT));
    }

    /** A memory on a link of its own, not connected yet. */
    private static VerdictMemory freshMemory() {
        return new RedisVerdictMemory(REDIS.link(), RedisSettings.DEFAULT_KEY_PREFIX, CacheSettings.DEFAULTS, Ticker.SYSTEM,
            Duration.ofSeconds(30));
    }

    private static List<RedisPeer> masters() {
        return REDIS.cluster().masters();
    }

    private static long dbSize(RedisPeer master) {
        return Long.parseLong(master.command("DBSIZE").substring(1));
    }

    private static <T> T value(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Verdict verdict(String domain, Result result, Stage stage) {
        return Verdict.builder(result, stage).code(result == Result.PASS ? 250 : 550).text(result.word())
            .mxHost("mx." + domain).ip("192.0.2.25").domain(domain).elapsed(Duration.ofMillis(12)).build();
    }
}
