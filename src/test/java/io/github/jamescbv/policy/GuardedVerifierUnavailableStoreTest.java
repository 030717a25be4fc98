package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A store that cannot answer is a miss or a refusal, never an exception to the caller (Postfix: "status unavailable"). */
class GuardedVerifierUnavailableStoreTest {
    private static final LimitSettings LIMITS = new LimitSettings(64, 1000, 100, 1000, 1000);

    private final ManualClock clock = new ManualClock();
    private final Verdict pass = Verdict.builder(Result.PASS, Stage.RCPT).code(250).domain("example.test").build();
    private final FakeVerifier engine = new FakeVerifier().answering(pass);
    private final InMemoryBudgets budgets = new InMemoryBudgets(LIMITS, clock, clock);
    private final ProcessCapacity capacity = new ProcessCapacity(LIMITS, clock, clock);

    @AfterEach
    void close() {
        budgets.close();
        capacity.close();
    }

    private static Verdict verify(GuardedVerifier v, String address) throws Exception {
        return v.verify(CallbackTarget.viaMx(EmailAddress.parse(address)), Optional.of(InetAddress.getByName("192.0.2.1")),
            DialogListener.NONE).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aMemoryThatFailsEverythingIsAMissAndTheCallbackStillRuns() throws Exception {
        GuardedVerifier v = new GuardedVerifier(engine, Duration.ofSeconds(5), new FailingMemory(false), budgets, capacity, clock);
        assertThat(verify(v, "a@example.test")).isEqualTo(pass);
        assertThat(verify(v, "a@example.test")).as("nothing was remembered").isEqualTo(pass);
        assertThat(engine.askedAsText()).containsExactly("a@example.test", "a@example.test");
        assertThat(engine.knew()).containsOnly(DomainFacts.NONE);
        assertThat(capacity.inFlight()).isZero();
    }

    @Test
    void aMemoryAnsweringWithAMinimalStageIsAHitLikeAnyOther() throws Exception {
        // A minimal stage is a CompletableFuture whose isDone() throws: asked carelessly, it would escape.
        GuardedVerifier v = new GuardedVerifier(engine, Duration.ofSeconds(5), new FailingMemory(false) {
            @Override
            public CompletionStage<Verdict> recallOrCall(String address, String domain,
                                                         Supplier<? extends CompletionStage<Verdict>> callback) {
                return CompletableFuture.completedFuture(pass).minimalCompletionStage();
            }
        }, budgets, capacity, clock);

        assertThat(verify(v, "a@example.test")).isEqualTo(pass);
        assertThat(engine.asked()).as("answered from memory").isEmpty();
    }

    @Test
    void aMemoryThatThrowsIsAMissToo() throws Exception {
        GuardedVerifier v = new GuardedVerifier(engine, Duration.ofSeconds(5), new FailingMemory(true), budgets, capacity, clock);
        assertThat(verify(v, "a@example.test")).isEqualTo(pass);
        assertThat(capacity.inFlight()).isZero();
    }

    @Test
    void budgetsThatFailLetTheClientThroughAndRefuseTheDomainSlot() throws Exception {
        RemoteBudgets failing = new FailingBudgets();
        GuardedVerifier v = new GuardedVerifier(engine, Duration.ofSeconds(5),
            new InMemoryVerdictMemory(CacheSettings.DEFAULTS, clock), failing, capacity, clock);
        Verdict refused = verify(v, "a@example.test");
        assertThat(refused.result()).isEqualTo(Result.TRANSIENT);
        assertThat(refused.stage()).isEqualTo(Stage.POLICY);
        assertThat(refused.text()).isEqualTo("internal error in callback limits: IllegalStateException");
        assertThat(engine.askedAsText()).isEmpty();
        assertThat(capacity.inFlight()).isZero();
    }

    @Test
    void aLeaseWhoseReleaseThrowsStillEndsTheCallbackAndFreesTheAddress() throws Exception {
        InMemoryVerdictMemory memory = new InMemoryVerdictMemory(CacheSettings.DEFAULTS, clock);
        GuardedVerifier v = new GuardedVerifier(engine, Duration.ofSeconds(5), memory,
            new FaultyLeases(budgets, FaultyLeases.Fault.RELEASE), capacity, clock);
        assertThat(verify(v, "a@example.test")).isEqualTo(pass);
        assertThat(memory.callbacksInFlight()).as("the memory's claim on the address is freed").isZero();
        assertThat(capacity.inFlight()).isZero();
        assertThat(verify(v, "a@example.test").cached()).as("and the verdict remembered").isTrue();
        assertThat(engine.askedAsText()).containsExactly("a@example.test");
    }

    /** Every answer a failure: exceptional stages, or exceptions thrown outright. */
    private static class FailingMemory implements VerdictMemory {
        private final boolean throwing;

        FailingMemory(boolean throwing) {
            this.throwing = throwing;
        }

        private <T> CompletionStage<T> fail() {
            IllegalStateException e = new IllegalStateException("store unavailable");
            if (throwing) {
                throw e;
            }
            return CompletableFuture.failedFuture(e);
        }

        @Override
        public CompletionStage<Verdict> recallOrCall(String address, String domain,
                                                     Supplier<? extends CompletionStage<Verdict>> callback) {
            return fail();
        }

        @Override
        public CompletionStage<Verdict> refresh(String address, String domain,
                                                Supplier<? extends CompletionStage<Verdict>> callback) {
            return fail();
        }

        @Override
        public CompletionStage<List<Remembered>> recall(String address, String domain) {
            return fail();
        }

        @Override
        public CompletionStage<Void> remember(String address, String domain, Verdict verdict) {
            return fail();
        }

        @Override
        public CompletionStage<DomainFacts> domainFacts(String domain) {
            return fail();
        }

        @Override
        public CompletionStage<Boolean> forgetAddress(String address) {
            return fail();
        }

        @Override
        public CompletionStage<Integer> forgetDomain(String domain) {
            return fail();
        }

        @Override
        public CompletionStage<Long> size() {
            return fail();
        }

        @Override
        public int callbacksInFlight() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    private static final class FailingBudgets implements RemoteBudgets {
        @Override
        public CompletionStage<Optional<String>> chargeClient(Optional<InetAddress> client) {
            return CompletableFuture.failedFuture(new IllegalStateException("store unavailable"));
        }

        @Override
        public CompletionStage<DomainLease> acquire(String domain, int probes, long deadlineNanos, Duration leaseTime) {
            return CompletableFuture.failedFuture(new IllegalStateException("store unavailable"));
        }

        @Override
        public int waiting() {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
