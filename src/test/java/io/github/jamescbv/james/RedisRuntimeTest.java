package io.github.jamescbv.james;

import static io.github.jamescbv.james.CbvRuntimeTest.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.store.redis.RedisSettings;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RedisPeer;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.james.metrics.api.Gauge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime with {@code <redis>}: two processes on one Redis share one memory, and one that starts without Redis joins it later. */
@RequiresPeers(Need.REDIS)
class RedisRuntimeTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void aVerdictFoundByOneNodeIsTheOtherNodesAndSurvivesBoth() throws Exception {
        RedisPeer redis = closed(RedisPeer.builder("redis-runtime").start());
        Optional<RedisSettings> shared = Optional.of(RedisSettings.of(redis.uri()));
        FakeVerifier engineA = new FakeVerifier();
        FakeVerifier engineB = new FakeVerifier();
        CbvRuntime a = closed(new CbvRuntime(s -> engineA));
        CbvRuntime b = closed(new CbvRuntime(s -> engineB));

        Verdict first = verify(node(a, engineA, shared), "alice@remote.example");
        Verdict onB = verify(node(b, engineB, shared), "alice@remote.example");

        assertThat(first.result()).isEqualTo(Result.PASS);
        assertThat(onB.cached()).as("node B answers from node A's verdict").isTrue();
        assertThat(engineB.asked()).isEmpty();
        assertThat(redis.command("EXISTS cbv:a:{remote.example}:alice@remote.example")).isEqualTo(":1");

        a.close();
        b.close();
        FakeVerifier engineC = new FakeVerifier();
        CbvRuntime c = closed(new CbvRuntime(s -> engineC));
        assertThat(verify(node(c, engineC, shared), "alice@remote.example").cached())
            .as("a node started after every other stopped finds the verdict in Redis").isTrue();
        assertThat(engineC.asked()).isEmpty();
    }

    @Test
    void aNodeWhoseRedisIsNotThereAtStartAnswersAloneAndJoinsWhenItAnswers() throws Exception {
        int port = RedisPeer.Builder.freePort();
        Map<String, Gauge<?>> gauges = new ConcurrentHashMap<>();
        FakeVerifier engine = new FakeVerifier();
        CbvRuntime alone = closed(new CbvRuntime(s -> engine, RecordingGauges.into(gauges)));
        GuardedVerifier v = node(alone, engine, Optional.of(new RedisSettings("redis://127.0.0.1:" + port,
            RedisSettings.DEFAULT_KEY_PREFIX, Duration.ofMillis(200))));

        assertThat(verify(v, "bob@remote.example").result()).as("no Redis: the node's own memory").isEqualTo(Result.PASS);
        assertThat(verify(v, "bob@remote.example").cached()).isTrue();
        assertThat(gauges.get("smtp_cbv_shared_verdicts_up").get()).isEqualTo(0);
        assertThat(gauges.get("smtp_cbv_shared_verdicts_fallbacks").get()).isEqualTo(1L);

        RedisPeer redis = closed(RedisPeer.builder("redis-runtime-late").port(port).start());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            verify(v, "carol" + System.nanoTime() + "@remote.example");
            assertThat(gauges.get("smtp_cbv_shared_verdicts_up").get()).isEqualTo(1);
        });
        verify(v, "dave@remote.example");
        assertThat(redis.command("EXISTS cbv:a:{remote.example}:dave@remote.example")).as("shared again: the verdict is in Redis").isEqualTo(":1");
        assertThat(gauges.get("smtp_cbv_shared_verdicts_recoveries").get()).isEqualTo(1L);
    }

    @Test
    void aNodeThatStopsGivesBackItsClaimsAndSlotsAtOnce() throws Exception {
        RedisPeer redis = closed(RedisPeer.builder("redis-runtime-stop").start());
        FakeVerifier engine = new FakeVerifier().pendingCallbacks();
        CbvRuntime stopping = closed(new CbvRuntime(s -> engine));
        GuardedVerifier v = node(stopping, engine, Optional.of(RedisSettings.of(redis.uri())));
        String claim = "EXISTS cbv:c:{remote.example}:erin@remote.example";
        String slots = "ZCARD cbv:l:{remote.example}";

        v.verify(CallbackTarget.viaMx(EmailAddress.parse("erin@remote.example")), Optional.empty(), DialogListener.NONE);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(redis.command(claim)).isEqualTo(":1");
            assertThat(redis.command(slots)).isEqualTo(":1");
        });
        stopping.close(); // the callback never ends: only the stop can give back what it holds

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(redis.command(claim)).as("the claim, which would last its lease (minutes)").isEqualTo(":0");
            assertThat(redis.command(slots)).as("the domain slot").isEqualTo(":0");
        });
    }

    /** A domain rate far above what the tests ask: the wait for Redis to come back verifies a new address per look. */
    private static final LimitSettings LIMITS = new LimitSettings(LimitSettings.DEFAULT_MAX_CONCURRENT,
        LimitSettings.DEFAULT_MAX_QUEUED, LimitSettings.DEFAULT_PER_DOMAIN_CONCURRENT, 10_000,
        LimitSettings.DEFAULT_PER_CLIENT_RATE);

    private static GuardedVerifier node(CbvRuntime runtime, FakeVerifier engine, Optional<RedisSettings> redis) {
        return runtime.protect(engine, WAIT, CacheSettings.DEFAULTS, redis, LIMITS, "node");
    }

    private <T extends AutoCloseable> T closed(T c) {
        closing.add(0, c);
        return c;
    }
}
