package io.github.jamescbv.store.shared;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import io.github.jamescbv.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailoverMemoryTest {
    private static final Duration BOUND = Duration.ofMillis(500);
    private static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    private static final Duration JOIN = Duration.ofSeconds(90);
    private static final CacheSettings CACHE = new CacheSettings(Duration.ofDays(7), Duration.ofHours(3), Duration.ofMinutes(5), 1000);
    private static final String A = "a@d.test";

    private final ManualClock clock = new ManualClock();
    private final FaultySharedMemory shared = new FaultySharedMemory(new InMemoryVerdictMemory(CACHE, clock));
    private final CapturedLog log = new CapturedLog(FailoverMemory.class);
    private final FailoverMemory memory = new FailoverMemory(shared, new InMemoryVerdictMemory(CACHE, clock), clock, clock,
        new FailoverBounds(BOUND, PROBE_EVERY, JOIN));

    @AfterEach
    void closeLog() {
        log.close();
    }

    @Test
    void aFailingStoreIsAnsweredByThisNodesMemoryWithOneWarn() {
        remember(A, pass());
        shared.mode = FaultySharedMemory.Mode.FAILS;
        for (int i = 0; i < 10; i++) {
            assertThat(ask(A, noCallback())).isCompletedWithValue(cached(pass()));
        }
        assertThat(log.at(Level.WARN)).containsExactly(
            "shared verdict store unavailable, using this node's memory: IllegalStateException: OOM command not allowed");
        assertThat(memory.health().fallbacks()).isEqualTo(1);
        assertThat(memory.health().shared()).isFalse();
    }

    @Test
    void aStoreThatThrowsIsAMissHereNeverAnException() {
        shared.mode = FaultySharedMemory.Mode.THROWS;
        assertThat(memory.recall(A, "d.test").toCompletableFuture()).isCompletedWithValueMatching(l -> l.isEmpty());
        assertThat(memory.size().toCompletableFuture()).isCompletedWithValue(0L);
        assertThat(memory.forgetDomain("d.test").toCompletableFuture()).isCompletedWithValue(0);
        assertThat(memory.health().fallbacks()).isEqualTo(1);
    }

    @Test
    void aStallingStoreIsAnsweredHereOnceTheBoundHasPassed() {
        remember(A, pass());
        shared.mode = FaultySharedMemory.Mode.STALLS;
        CompletableFuture<Verdict> stalled = memory.recall(A, "d.test")
            .thenApply(l -> l.get(0).verdict()).toCompletableFuture();
        CompletableFuture<Void> write = memory.remember("b@d.test", "d.test", pass()).toCompletableFuture();
        clock.advance(BOUND.minusMillis(1));
        assertThat(stalled).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(stalled).isCompletedWithValue(cached(pass()));
        assertThat(write).isCompleted();
        assertThat(ask("b@d.test", noCallback())).as("written here too").isCompletedWithValue(cached(pass()));
        assertThat(log.at(Level.WARN)).containsExactly("shared verdict store unavailable, using this node's memory: "
            + "TimeoutException: no answer within 500ms");
    }

    @Test
    void aClaimOnAStallingStoreMovesHereAndCallsBackOnce() {
        shared.mode = FaultySharedMemory.Mode.STALLS;
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        CompletableFuture<Verdict> first = ask(A, counting(calls, remote));
        CompletableFuture<Verdict> second = ask(A, counting(calls, remote));
        clock.advance(BOUND); // a probe of the store is sent
        assertThat(calls).hasValue(0);
        clock.advance(BOUND); // and not answered: both claims move here
        assertThat(calls).hasValue(1);
        remote.complete(pass());
        assertThat(first).isCompletedWithValue(pass());
        assertThat(second).isCompletedWithValue(pass());
        assertThat(memory.health().fallbacks()).isEqualTo(1);
    }

    @Test
    void aClaimJoiningAnotherNodesCallbackWaitsUpToTheJoinBound() {
        shared.mode = FaultySharedMemory.Mode.CLAIMS_STALL;
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Verdict> joined = ask(A, counting(calls, CompletableFuture.completedFuture(pass())));
        clock.advance(JOIN.minusMillis(1));
        assertThat(joined).as("the store answers its probe: another node is calling back").isNotDone();
        assertThat(memory.health().shared()).isTrue();
        clock.advance(Duration.ofMillis(1));
        assertThat(joined).isCompletedWithValue(pass());
        assertThat(calls).hasValue(1);
        assertThat(memory.health().fallbacks()).isEqualTo(1);
    }

    @Test
    void theCallbacksOwnFailureIsTheCallersNotAFallback() {
        CompletableFuture<Verdict> failed = ask(A, () -> CompletableFuture.failedFuture(new IllegalStateException("engine")));
        assertThat(failed).isCompletedExceptionally();
        assertThat(memory.health().shared()).isTrue();
        assertThat(memory.health().fallbacks()).isZero();
    }

    @Test
    void whileDegradedTheStoreIsProbedAtMostEveryIntervalAndRecoversWithOneInfo() {
        shared.mode = FaultySharedMemory.Mode.FAILS;
        memory.size();
        int afterFallback = shared.calls.get();
        for (int i = 0; i < 20; i++) {
            memory.size();
        }
        assertThat(shared.calls).as("no probe before its time").hasValue(afterFallback);
        clock.advance(PROBE_EVERY);
        for (int i = 0; i < 20; i++) {
            memory.size();
        }
        assertThat(shared.calls).as("one probe, failed").hasValue(afterFallback + 1);
        assertThat(memory.health().shared()).isFalse();
        shared.mode = FaultySharedMemory.Mode.ANSWERS;
        memory.size();
        assertThat(shared.calls).as("the next probe waits its turn").hasValue(afterFallback + 1);
        clock.advance(PROBE_EVERY);
        memory.size();
        assertThat(memory.health().shared()).isTrue();
        assertThat(memory.health().recoveries()).isEqualTo(1);
        assertThat(log.at(Level.INFO)).containsExactly(
            "shared verdict store answers again, verdicts shared again (after 10s on this node's own)");
        int afterRecovery = shared.calls.get();
        memory.size();
        assertThat(shared.calls).as("asked again").hasValue(afterRecovery + 1);
        assertThat(log.at(Level.WARN)).hasSize(1);
    }

    @Test
    void aStoreThatAnswersReadsButRefusesClaimsIsNotTakenBackByItsProbe() {
        shared.mode = FaultySharedMemory.Mode.CLAIMS_FAIL;
        AtomicInteger calls = new AtomicInteger();
        assertThat(ask(A, counting(calls, CompletableFuture.completedFuture(pass())))).isCompletedWithValue(pass());
        for (int i = 0; i < 3; i++) {
            clock.advance(PROBE_EVERY);
            assertThat(ask(i + A, counting(calls, CompletableFuture.completedFuture(pass())))).isCompletedWithValue(pass());
        }
        assertThat(calls).as("every claim answered here").hasValue(4);
        assertThat(memory.health().shared()).as("probes that claim, refused as every mail's claim would be").isFalse();
        assertThat(memory.health().recoveries()).isZero();
        assertThat(log.at(Level.WARN)).hasSize(1);

        shared.mode = FaultySharedMemory.Mode.ANSWERS;
        clock.advance(PROBE_EVERY);
        memory.size();
        assertThat(memory.health().shared()).isTrue();
        assertThat(log.at(Level.INFO)).hasSize(1);
    }

    private CompletableFuture<Verdict> ask(String address, Supplier<CompletionStage<Verdict>> callback) {
        return memory.recallOrCall(address, "d.test", callback).toCompletableFuture();
    }

    private void remember(String address, Verdict v) {
        memory.remember(address, "d.test", v).toCompletableFuture().join();
    }

    private static Supplier<CompletionStage<Verdict>> noCallback() {
        return () -> {
            throw new AssertionError("must be answered from memory");
        };
    }

    private static Supplier<CompletionStage<Verdict>> counting(AtomicInteger calls, CompletionStage<Verdict> outcome) {
        return () -> {
            calls.incrementAndGet();
            return outcome;
        };
    }

    private static Verdict pass() {
        return Verdict.builder(Result.PASS, Stage.RCPT).code(250).domain("d.test").build();
    }

    private static Verdict cached(Verdict v) {
        return v.toBuilder().cached(true).build();
    }
}
