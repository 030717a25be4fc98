package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.store.memory.InMemoryBudgets;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import io.github.jamescbv.testing.AllAtOnce;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.testing.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Refresh ahead through the guard, on a clock the test moves: a pass older than passRefresh answers
 * at once and one callback in the background renews it, under the domain's and the process's
 * limits but never waiting for them, and what it brings back answers the next request.
 */
class GuardedVerifierRefreshTest {
    private static final Duration PASS_REFRESH = Duration.ofDays(1);
    private static final CacheSettings CACHE = CacheSettings.DEFAULTS.withPassRefresh(PASS_REFRESH);
    private static final LimitSettings ROOMY = new LimitSettings(64, 1000, 100, 1000, 1000);
    private static final String A = "a@example.test";

    private final ManualClock clock = new ManualClock();
    /** The callback under way for each address, a new one per call (FakeVerifier's own pending ones are one per address). */
    private final Map<String, CompletableFuture<Verdict>> latest = new ConcurrentHashMap<>();
    private final FakeVerifier engine = new FakeVerifier().answering(a -> {
        CompletableFuture<Verdict> call = new CompletableFuture<>();
        latest.put(a.toString(), call);
        return call;
    });
    private final List<String> engineCalls = engine.askedAsText();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private GuardedVerifier verifier(CacheSettings cache, LimitSettings limits) {
        InMemoryVerdictMemory memory = new InMemoryVerdictMemory(cache, clock);
        InMemoryBudgets budgets = new InMemoryBudgets(limits, clock, clock);
        ProcessCapacity capacity = new ProcessCapacity(limits, clock, clock);
        toClose.add(capacity);
        toClose.add(budgets);
        return new GuardedVerifier(engine, Duration.ofSeconds(30), memory, budgets, capacity, clock);
    }

    private GuardedVerifier verifier() {
        return verifier(CACHE, ROOMY);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void anOldPassAnswersAtOnceMarkedRefreshingWhileOneCallbackRenewsIt() throws Exception {
        GuardedVerifier v = verifier();
        passRemembered(v, A);
        clock.advance(PASS_REFRESH.minusSeconds(1));
        Verdict young = atOnce(verify(v, A));
        assertThat(young.cached()).isTrue();
        assertThat(young.refreshing()).isFalse();
        assertThat(engineCalls).containsExactly(A);

        clock.advance(Duration.ofSeconds(1));
        Verdict old = atOnce(verify(v, A));
        assertThat(old.result()).isEqualTo(Result.PASS);
        assertThat(old.cached()).isTrue();
        assertThat(old.refreshing()).isTrue();
        assertThat(old.detail()).containsEntry("refreshing", "true");
        assertThat(engineCalls).as("the renewal, in the background").containsExactly(A, A);

        renewal(A).complete(pass());
        Verdict renewed = atOnce(verify(v, A));
        assertThat(renewed.cached()).isTrue();
        assertThat(renewed.refreshing()).as("young again").isFalse();
        assertThat(renewed.detail()).doesNotContainKey("refreshing");
        assertThat(engineCalls).hasSize(2);
    }

    @Test
    void manyConcurrentHitsOfAnOldPassMakeOneRenewal() throws Exception {
        GuardedVerifier v = verifier();
        passRemembered(v, A);
        clock.advance(PASS_REFRESH);
        List<CompletionStage<Verdict>> answers = AllAtOnce.run(400, 8, i -> verify(v, A));
        for (CompletionStage<Verdict> a : answers) {
            Verdict served = atOnce(a);
            assertThat(served.result()).isEqualTo(Result.PASS);
            assertThat(served.refreshing()).isTrue();
        }
        assertThat(engineCalls).as("one callback for the first mail, one renewal for all 400").containsExactly(A, A);
        renewal(A).complete(pass());
        for (CompletionStage<Verdict> a : AllAtOnce.run(100, 8, i -> verify(v, A))) {
            assertThat(atOnce(a).refreshing()).isFalse();
        }
        assertThat(engineCalls).hasSize(2);
    }

    @Test
    void aRenewalThatSaysErrorMakesTheNextAnswerError() throws Exception {
        GuardedVerifier v = verifier();
        passRemembered(v, A);
        clock.advance(PASS_REFRESH);
        assertThat(atOnce(verify(v, A)).result()).isEqualTo(Result.PASS);
        renewal(A).complete(verdict(Result.ERROR, 550));
        Verdict next = atOnce(verify(v, A));
        assertThat(next.result()).isEqualTo(Result.ERROR);
        assertThat(next.cached()).isTrue();
        assertThat(engineCalls).hasSize(2);
    }

    @Test
    void aRenewalThatSaysTransientKeepsThePassAndIsNotTriedAgainBeforeThePause() throws Exception {
        GuardedVerifier v = verifier();
        passRemembered(v, A);
        clock.advance(PASS_REFRESH);
        atOnce(verify(v, A));
        renewal(A).complete(verdict(Result.TRANSIENT, 450));
        Verdict kept = atOnce(verify(v, A));
        assertThat(kept.result()).isEqualTo(Result.PASS);
        assertThat(kept.refreshing()).as("still old").isTrue();
        clock.advance(GuardedVerifier.RENEWAL_PAUSE.minusSeconds(1));
        atOnce(verify(v, A));
        assertThat(engineCalls).as("paused: the remote said not now").hasSize(2);
        clock.advance(Duration.ofSeconds(1));
        atOnce(verify(v, A));
        assertThat(engineCalls).as("tried again after the pause").hasSize(3);
    }

    @Test
    void aRenewalRefusedByTheDomainsLimitLeavesThePassServedAndWaitsForNoSlot() throws Exception {
        GuardedVerifier v = verifier(CACHE, new LimitSettings(64, 1000, 1, 1000, 1000));
        passRemembered(v, A);
        clock.advance(PASS_REFRESH);
        CompletionStage<Verdict> other = verify(v, "b@example.test"); // holds the domain's one slot
        assertThat(engineCalls).containsExactly(A, "b@example.test");

        Verdict served = atOnce(verify(v, A));
        assertThat(served.result()).isEqualTo(Result.PASS);
        assertThat(served.refreshing()).isTrue();
        assertThat(engineCalls).as("refused at once, not queued behind the mail").hasSize(2);

        renewal("b@example.test").complete(pass());
        get(other);
        atOnce(verify(v, A));
        assertThat(engineCalls).as("paused after the refusal").hasSize(2);
        clock.advance(GuardedVerifier.RENEWAL_PAUSE);
        assertThat(atOnce(verify(v, A)).result()).isEqualTo(Result.PASS);
        assertThat(engineCalls).containsExactly(A, "b@example.test", A);
    }

    @Test
    void aRenewalRefusedByTheProcessCapacityLeavesThePassServed() throws Exception {
        GuardedVerifier v = verifier(CACHE, new LimitSettings(1, 1000, 100, 1000, 1000));
        passRemembered(v, A);
        clock.advance(PASS_REFRESH);
        verify(v, "c@other.test"); // holds the process's one slot
        Verdict served = atOnce(verify(v, A));
        assertThat(served.result()).isEqualTo(Result.PASS);
        assertThat(served.refreshing()).isTrue();
        assertThat(engineCalls).containsExactly(A, "c@other.test");
    }

    @Test
    void aRenewalIsNotChargedToTheClientsBudget() throws Exception {
        GuardedVerifier v = verifier(CACHE, new LimitSettings(64, 1000, 100, 1000, 1));
        passRemembered(v, A); // the client's one callback of the minute
        clock.advance(PASS_REFRESH);
        assertThat(atOnce(verify(v, A)).refreshing()).isTrue();
        assertThat(engineCalls).as("renewed although the client's budget is spent").containsExactly(A, A);
    }

    @Test
    void passRefreshZeroNeverRenews() throws Exception {
        GuardedVerifier v = verifier(CacheSettings.DEFAULTS.withPassRefresh(Duration.ZERO), ROOMY);
        passRemembered(v, A);
        clock.advance(CacheSettings.DEFAULT_PASS_TTL.minusSeconds(1));
        Verdict served = atOnce(verify(v, A));
        assertThat(served.cached()).isTrue();
        assertThat(served.refreshing()).isFalse();
        assertThat(engineCalls).containsExactly(A);
    }

    // --- helpers

    /** A first mail from {@code address}: its callback answers pass, which is remembered now. */
    private void passRemembered(GuardedVerifier v, String address) throws Exception {
        CompletionStage<Verdict> first = verify(v, address);
        renewal(address).complete(pass());
        assertThat(get(first).cached()).isFalse();
    }

    /** The engine's latest callback for {@code address}, still under way. */
    private CompletableFuture<Verdict> renewal(String address) {
        CompletableFuture<Verdict> pending = latest.get(address);
        assertThat(pending).as("a callback is under way for " + address).isNotNull().isNotDone();
        return pending;
    }

    private CompletionStage<Verdict> verify(GuardedVerifier v, String address) throws Exception {
        return v.verify(DomainMap.EMPTY.route(EmailAddress.parse(address)), Optional.of(InetAddress.getByName("192.0.2.1")),
            DialogListener.NONE);
    }

    /** The answer, which must be there when verify returns: nothing waited for. */
    private static Verdict atOnce(CompletionStage<Verdict> stage) {
        CompletableFuture<Verdict> f = stage.toCompletableFuture();
        assertThat(f).as("answered at once").isDone();
        return f.join();
    }

    private static Verdict get(CompletionStage<Verdict> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Verdict pass() {
        return verdict(Result.PASS, 250);
    }

    private static Verdict verdict(Result result, int code) {
        return Verdict.builder(result, Stage.RCPT).code(code).domain("example.test").build();
    }
}
