package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.store.memory.InMemoryBudgets;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.testing.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Time in the queue: a verdict says how long its request waited for the limits before the callback
 * started, apart from how long the callback took, on the limits' own clock (moved by hand here).
 */
class GuardedVerifierWaitTest {
    private static final Duration ADMISSION_WAIT = Duration.ofSeconds(30);
    private static final Duration CALLBACK = Duration.ofMillis(9);

    private final ManualClock clock = new ManualClock();
    private final FakeVerifier engine = new FakeVerifier().pendingCallbacks();
    private InMemoryVerdictMemory memory;
    private InMemoryBudgets budgets;
    private ProcessCapacity capacity;

    @AfterEach
    void close() {
        memory.close();
        budgets.close();
        capacity.close();
    }

    /** maxConcurrent, maxQueued, perDomainConcurrent; rates out of the way. */
    private GuardedVerifier verifier(int maxConcurrent, int maxQueued, int perDomainConcurrent) {
        LimitSettings limits = new LimitSettings(maxConcurrent, maxQueued, perDomainConcurrent, 1000, 1000);
        memory = new InMemoryVerdictMemory(CacheSettings.DEFAULTS, clock);
        budgets = new InMemoryBudgets(limits, clock, clock);
        capacity = new ProcessCapacity(limits, clock, clock);
        return new GuardedVerifier(engine, ADMISSION_WAIT, memory, budgets, capacity, clock);
    }

    private static CompletableFuture<Verdict> verify(GuardedVerifier v, String address) throws Exception {
        return v.verify(CallbackTarget.viaMx(EmailAddress.parse(address)), Optional.of(InetAddress.getByName("192.0.2.1")),
            DialogListener.NONE).toCompletableFuture();
    }

    private static Verdict get(CompletableFuture<Verdict> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    /** The engine's answer to {@code address}: as the real one, it says how long its callback took. */
    private void answer(String address, Stage stage) throws Exception {
        String domain = EmailAddress.parse(address).domain();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.pending(address) != null);
        Result result = stage == Stage.RCPT ? Result.PASS : Result.ERROR;
        engine.pending(address).complete(Verdict.builder(result, stage).code(result == Result.PASS ? 250 : 550)
            .domain(domain).elapsed(CALLBACK).build());
    }

    /**
     * {@code second} asked while {@code first} holds the slot it needs; {@code wait} passes, then the
     * engine answers {@code first} and, once it has the slot, {@code second}. The verdict of {@code second}.
     */
    private CompletableFuture<Verdict> queuedBehind(GuardedVerifier v, String first, String second, Duration wait)
            throws Exception {
        verify(v, first);
        CompletableFuture<Verdict> queued = verify(v, second);
        assertThat(engine.askedAsText()).as("%s waits for a slot", second).doesNotContain(second);
        clock.advance(wait);
        answer(first, Stage.RCPT);
        answer(second, Stage.RCPT);
        return queued;
    }

    @Test
    void aVerdictThatWaitedForADomainSlotSaysHowLongApartFromItsCallback() throws Exception {
        Verdict waited = get(queuedBehind(verifier(64, 1000, 1), "a@busy.test", "b@busy.test", Duration.ofMillis(18_003)));

        assertWaitedThenCalledBack(waited, Duration.ofMillis(18_003));
        assertThat(waited.toString()).contains(" ms=9 waitMs=18003");
    }

    /** {@code v} waited {@code wait} for its slot, and its callback took what the engine said. */
    private static void assertWaitedThenCalledBack(Verdict v, Duration wait) {
        assertThat(v.waited()).isEqualTo(wait);
        assertThat(v.elapsed()).isEqualTo(CALLBACK);
        assertThat(v.detail()).containsEntry("waitMs", Long.toString(wait.toMillis()))
            .containsEntry("elapsedMs", Long.toString(CALLBACK.toMillis()));
    }

    @Test
    void aHitWaitedForNothingWhateverTheRequestThatMadeTheVerdictWaited() throws Exception {
        GuardedVerifier v = verifier(64, 1000, 1);
        assertThat(get(queuedBehind(v, "a@busy.test", "b@busy.test", Duration.ofSeconds(18))).waited())
            .isEqualTo(Duration.ofSeconds(18));

        Verdict hit = get(verify(v, "b@busy.test"));

        assertThat(hit.cached()).isTrue();
        assertThat(hit.waited()).isZero();
        assertThat(hit.elapsed()).as("the callback that made it").isEqualTo(CALLBACK);
        assertThat(engine.askedAsText()).containsExactly("a@busy.test", "b@busy.test");
    }

    @Test
    void aVerdictThatWaitedForAProcessSlotSaysHowLong() throws Exception {
        Verdict queued = get(queuedBehind(verifier(1, 10, 100), "a@one.test", "b@two.test", Duration.ofSeconds(4)));

        assertWaitedThenCalledBack(queued, Duration.ofSeconds(4));
    }

    @Test
    void aDomainLevelAnswerFoundAfterWaitingIsFromMemoryButTheWaitWasThisRequests() throws Exception {
        GuardedVerifier v = verifier(64, 1000, 1);
        verify(v, "a@refusing.test");
        CompletableFuture<Verdict> second = verify(v, "b@refusing.test");
        clock.advance(Duration.ofSeconds(2));
        answer("a@refusing.test", Stage.MAIL);

        Verdict fromDomain = get(second);
        assertThat(fromDomain.cached()).isTrue();
        assertThat(fromDomain.waited()).isEqualTo(Duration.ofSeconds(2));
        assertThat(engine.askedAsText()).containsExactly("a@refusing.test");
    }

    @Test
    void aRefusalWaitedUntilItWasRefusedAndTookNoCallbackTime() throws Exception {
        GuardedVerifier v = verifier(64, 1000, 1);
        verify(v, "a@busy.test");
        CompletableFuture<Verdict> second = verify(v, "b@busy.test");

        clock.advance(ADMISSION_WAIT);

        Verdict refused = get(second);
        assertThat(refused.stage()).isEqualTo(Stage.POLICY);
        assertThat(refused.text()).contains("busy.test");
        assertThat(refused.waited()).isEqualTo(ADMISSION_WAIT);
        assertThat(refused.elapsed()).isZero();
    }
}
