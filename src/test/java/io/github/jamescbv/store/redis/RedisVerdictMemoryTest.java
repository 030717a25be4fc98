package io.github.jamescbv.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.PackedVerdict;
import io.github.jamescbv.policy.Remembered;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the Redis memory adds to the contract: several nodes on one Redis, a node that dies
 * holding a claim, a restart, Redis's own TTLs, and Redis answering garbage or nothing. Real
 * time here (nodes wait for each other in real time), and a real redis-server.
 */
@RequiresPeers(Need.REDIS)
class RedisVerdictMemoryTest {
    private static final String A = "a@d.test";
    private static final String D = "d.test";
    private static final Duration LEASE = Duration.ofSeconds(20);
    @RegisterExtension
    static final RedisServer REDIS = new RedisServer("redis-verdict-memory");

    @Test
    void twoNodesOnOneRedisMakeOneCallbackForOneAddress() {
        VerdictMemory nodeA = node(LEASE);
        VerdictMemory nodeB = node(LEASE);
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        Verdict v = verdict(Result.ERROR);
        // the callback remembers its verdict before completing, as the guard's does
        CompletableFuture<Verdict> onA = ask(nodeA, A, counting(calls, remote.thenCompose(r -> nodeA.remember(A, D, r).thenApply(x -> r))));
        await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.callbacksInFlight() == 1);
        List<CompletableFuture<Verdict>> onB = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            onB.add(ask(nodeB, A, counting(calls, new CompletableFuture<>())));
        }
        await("node B waits for node A's callback").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
            .until(() -> onB.stream().noneMatch(CompletableFuture::isDone));
        remote.complete(v);
        assertThat(value(onA)).isEqualTo(v);
        for (CompletableFuture<Verdict> b : onB) {
            assertThat(value(b)).isEqualTo(v.toBuilder().cached(true).build());
        }
        assertThat(calls).hasValue(1);
        assertThat(nodeB.callbacksInFlight()).isZero();
    }

    @Test
    void aVerdictNotRememberedLetsTheWaitingNodeCallBackItselfAfterTheHolder() {
        VerdictMemory nodeA = node(LEASE);
        VerdictMemory nodeB = node(LEASE);
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        AtomicInteger callsOnB = new AtomicInteger();
        CompletableFuture<Verdict> onA = ask(nodeA, A, () -> remote);
        await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.callbacksInFlight() == 1);
        Verdict own = verdict(Result.TRANSIENT);
        CompletableFuture<Verdict> onB = ask(nodeB, A, counting(callsOnB, CompletableFuture.completedFuture(own)));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !onB.isDone());
        remote.complete(verdict(Result.TRANSIENT));
        value(onA);
        assertThat(value(onB)).isEqualTo(own);
        assertThat(callsOnB).as("after the holder, not meanwhile").hasValue(1);
    }

    @Test
    void theClaimOfANodeThatDiedExpiresWithItsLeaseAndTheWaiterCallsBack() {
        Duration shortLease = Duration.ofMillis(400);
        RedisLink deadLink = REDIS.link();
        VerdictMemory dying = new RedisVerdictMemory(deadLink, RedisSettings.DEFAULT_KEY_PREFIX, CacheSettings.DEFAULTS,
            Ticker.SYSTEM, shortLease);
        ask(dying, A, CompletableFuture::new); // claims, then "dies": never completes, never releases
        await().atMost(Duration.ofSeconds(10)).until(() -> dying.callbacksInFlight() == 1);
        assertThat(REDIS.peer().command("EXISTS cbv:c:{d.test}:" + A)).isEqualTo(":1");
        deadLink.close();

        VerdictMemory survivor = node(LEASE);
        AtomicInteger calls = new AtomicInteger();
        Verdict v = verdict(Result.PASS);
        long start = System.nanoTime();
        CompletableFuture<Verdict> answer = ask(survivor, A, counting(calls, CompletableFuture.completedFuture(v)));
        assertThat(value(answer)).isEqualTo(v);
        assertThat(calls).hasValue(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited for the lease, not longer than needed")
            .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void verdictsSurviveANewInstance() {
        VerdictMemory before = node(LEASE);
        Verdict v = verdict(Result.PASS);
        value(before.remember(A, D, v).toCompletableFuture());
        before.close();
        REDIS.closeLinks();

        VerdictMemory after = node(LEASE);
        CompletableFuture<Verdict> hit = ask(after, A, () -> {
            throw new AssertionError("answered from Redis, no callback");
        });
        assertThat(value(hit)).isEqualTo(v.toBuilder().cached(true).build());
    }

    @Test
    void eachKeyCarriesTheRedisTtlOfItsResult() {
        VerdictMemory memory = node(LEASE);
        value(memory.remember("p@d.test", D, verdict(Result.PASS)).toCompletableFuture());
        value(memory.remember("t@d.test", D, verdict(Result.TRANSIENT)).toCompletableFuture());
        long passTtl = pttl("cbv:a:{d.test}:p@d.test");
        long transientTtl = pttl("cbv:a:{d.test}:t@d.test");
        assertThat(passTtl).isBetween(CacheSettings.DEFAULT_PASS_TTL.toMillis() - 10_000, CacheSettings.DEFAULT_PASS_TTL.toMillis());
        assertThat(transientTtl).isBetween(CacheSettings.DEFAULT_TRANSIENT_TTL.toMillis() - 10_000,
            CacheSettings.DEFAULT_TRANSIENT_TTL.toMillis());
    }

    @Test
    void transientsFromTwoNodesAtOnceNeverReplaceAValidPass() {
        VerdictMemory nodeA = node(LEASE);
        VerdictMemory nodeB = node(LEASE);
        value(nodeA.remember(A, D, verdict(Result.PASS)).toCompletableFuture());
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            writes.add((i % 2 == 0 ? nodeA : nodeB).remember(A, D, verdict(Result.TRANSIENT)).toCompletableFuture());
        }
        writes.forEach(RedisVerdictMemoryTest::value);
        assertThat(VerdictMemory.answer(value(nodeB.recall(A, D).toCompletableFuture())).orElseThrow().result())
            .isEqualTo(Result.PASS);
    }

    @Test
    void aPassWrittenByAnEarlierVersionWithoutItsAgeIsDueForRenewal() {
        VerdictMemory memory = node(LEASE);
        Verdict cachedPass = verdict(Result.PASS).toBuilder().cached(true).build();
        byte[] earlier = StoredVerdict.encode(System.currentTimeMillis() + 60_000, PackedVerdict.pack(cachedPass, D));
        value(REDIS.link().call(c -> c.set("cbv:a:{d.test}:" + A, earlier)));
        Remembered held = VerdictMemory.answering(value(memory.recall(A, D).toCompletableFuture())).orElseThrow();
        assertThat(held.madeAt()).as("unknown").isEmpty();
        assertThat(held.verdict()).isEqualTo(cachedPass.toBuilder().refreshing(true).build());
    }

    @Test
    void aRenewalOnTwoNodesMakesOneCallbackAndTheOtherNodeAnswersWithWhatIsHeld() {
        VerdictMemory nodeA = node(LEASE);
        VerdictMemory nodeB = node(LEASE);
        Verdict pass = verdict(Result.PASS);
        value(nodeA.remember(A, D, pass).toCompletableFuture());
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        CompletableFuture<Verdict> onA = nodeA.refresh(A, D, counting(calls, remote)).toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.callbacksInFlight() == 1);
        CompletableFuture<Verdict> onB = nodeB.refresh(A, D, counting(calls, new CompletableFuture<>())).toCompletableFuture();
        assertThat(value(onB)).as("the claim is node A's; the pass still answers").isEqualTo(pass.toBuilder().cached(true).build());
        remote.complete(pass);
        assertThat(value(onA)).isEqualTo(pass);
        assertThat(calls).hasValue(1);
    }

    @Test
    void aValueThatDoesNotReadFailsTheStageAndRunsNoCallback() {
        VerdictMemory memory = node(LEASE);
        REDIS.peer().command("SET cbv:a:{d.test}:" + A + " garbage");
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Verdict> answer = ask(memory, A, counting(calls, CompletableFuture.completedFuture(verdict(Result.PASS))));
        await().atMost(Duration.ofSeconds(5)).until(answer::isCompletedExceptionally);
        assertThat(calls).hasValue(0);
        CompletableFuture<?> recalled = memory.recall(A, D).toCompletableFuture();
        await().atMost(Duration.ofSeconds(5)).until(recalled::isCompletedExceptionally);
    }

    @Test
    void aRedisThatIsGoneFailsStagesWithinTheBoundAndRemembersNothingQuietly() {
        RedisLink nowhere = REDIS.link("redis://127.0.0.1:1", Duration.ofMillis(200));
        VerdictMemory memory = new RedisVerdictMemory(nowhere, "cbv:", CacheSettings.DEFAULTS, Ticker.SYSTEM, LEASE);
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();
        CompletableFuture<Verdict> answer = ask(memory, A, counting(calls, new CompletableFuture<>()));
        await().atMost(Duration.ofSeconds(3)).until(answer::isCompletedExceptionally);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(calls).as("the caller calls back without the memory").hasValue(0);
        assertThat(value(memory.remember(A, D, verdict(Result.PASS)).toCompletableFuture())).isNull();
        CompletableFuture<?> size = memory.size().toCompletableFuture();
        await().atMost(Duration.ofSeconds(3)).until(size::isCompletedExceptionally);
    }

    // --- helpers

    private VerdictMemory node(Duration lease) {
        return new RedisVerdictMemory(REDIS.link(), RedisSettings.DEFAULT_KEY_PREFIX, CacheSettings.DEFAULTS, Ticker.SYSTEM, lease);
    }

    private static CompletableFuture<Verdict> ask(VerdictMemory memory, String address,
                                                  Supplier<? extends CompletionStage<Verdict>> callback) {
        return memory.recallOrCall(address, D, callback).toCompletableFuture();
    }

    private static Supplier<CompletionStage<Verdict>> counting(AtomicInteger calls, CompletionStage<Verdict> outcome) {
        return () -> {
            calls.incrementAndGet();
            return outcome;
        };
    }

    private static long pttl(String key) {
        return Long.parseLong(REDIS.peer().command("PTTL " + key).substring(1));
    }

    private static <T> T value(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the stage did not complete normally", e);
        }
    }

    private static Verdict verdict(Result result) {
        return Verdict.builder(result, Stage.RCPT).code(result == Result.PASS ? 250 : result == Result.ERROR ? 550 : 450)
            .text(result.word()).mxHost("mx.d.test").ip("192.0.2.25").domain(D).elapsed(Duration.ofMillis(12)).build();
    }
}
