package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.store.memory.InMemoryProtections;
import io.github.jamescbv.testing.FakeVerifier;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Cache, in-flight sharing, client budget and limits in front of an engine that only records its calls. */
class GuardedVerifierTest {
    private final FakeVerifier engine = new FakeVerifier().pendingCallbacks();
    private final List<String> engineCalls = engine.askedAsText();
    private final List<DomainFacts> engineKnew = engine.knew();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** The protections of the last {@link #verifier}: what the tests look into. */
    private Protections protections;

    private GuardedVerifier verifier(LimitSettings limits) {
        protections = InMemoryProtections.start(CacheSettings.DEFAULTS, limits);
        toClose.add(protections);
        return protections.guard(engine, Duration.ofSeconds(5));
    }

    private GuardedVerifier verifier() {
        return verifier(new LimitSettings(64, 1000, 100, 1000, 1000));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private static final DomainMap MAP = DomainMap.builder().add("alias.test", "example.test").build();

    private static EmailAddress addr(String s) throws Exception {
        return EmailAddress.parse(s);
    }

    private static Verdict verdict(Result r, Stage s) {
        return Verdict.builder(r, s).code(r == Result.PASS ? 250 : 550).domain("example.test").build();
    }

    private static Verdict get(CompletionStage<Verdict> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private CompletionStage<Verdict> verify(GuardedVerifier v, String address, String client) throws Exception {
        return v.verify(MAP.route(addr(address)), Optional.of(InetAddress.getByName(client)), DialogListener.NONE);
    }

    @Test
    void aCachedVerdictAnswersWithoutTheEngineAndSaysSo() throws Exception {
        GuardedVerifier v = verifier();
        CompletionStage<Verdict> first = verify(v, "a@example.test", "192.0.2.1");
        engine.pending("a@example.test").complete(verdict(Result.PASS, Stage.RCPT));
        assertThat(get(first).cached()).isFalse();
        Verdict second = get(verify(v, "a@example.test", "192.0.2.2"));
        assertThat(second.result()).isEqualTo(Result.PASS);
        assertThat(second.cached()).isTrue();
        assertThat(engineCalls).containsExactly("a@example.test");
    }

    @Test
    void theCacheIsKeyedByTheAddressAfterTheMap() throws Exception {
        GuardedVerifier v = verifier();
        CompletionStage<Verdict> first = verify(v, "a@alias.test", "192.0.2.1");
        engine.pending("a@alias.test").complete(verdict(Result.ERROR, Stage.RCPT));
        get(first);
        assertThat(get(verify(v, "a@example.test", "192.0.2.1")).cached()).isTrue();
    }

    /** {@code n} requests for {@code address} at once from {@code threads} threads, each from its own client. */
    private List<CompletionStage<Verdict>> verifyConcurrently(GuardedVerifier v, String address, int n, int threads)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<CompletionStage<Verdict>>> asked = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String client = "192.0.2." + (i % 200 + 1);
                asked.add(pool.submit(() -> verify(v, address, client)));
            }
            List<CompletionStage<Verdict>> stages = new ArrayList<>();
            for (Future<CompletionStage<Verdict>> f : asked) {
                stages.add(f.get(10, TimeUnit.SECONDS));
            }
            return stages;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aHundredConcurrentRequestsForOneAddressShareOneCallback() throws Exception {
        GuardedVerifier v = verifier();
        List<CompletionStage<Verdict>> stages = verifyConcurrently(v, "forged@example.test", 100, 8);
        assertThat(engineCalls).containsExactly("forged@example.test");
        engine.pending("forged@example.test").complete(verdict(Result.ERROR, Stage.RCPT));
        for (CompletionStage<Verdict> s : stages) {
            assertThat(get(s).result()).isEqualTo(Result.ERROR);
        }
        assertThat(protections.memory().callbacksInFlight()).isZero();
    }

    @Test
    void aClientOverItsBudgetGetsTransientPolicyButCacheHitsAreFree() throws Exception {
        GuardedVerifier v = verifier(new LimitSettings(64, 1000, 100, 1000, 2));
        verify(v, "a@example.test", "192.0.2.9");
        engine.pending("a@example.test").complete(verdict(Result.PASS, Stage.RCPT));
        verify(v, "b@example.test", "192.0.2.9");
        Verdict third = get(verify(v, "c@example.test", "192.0.2.9"));
        assertThat(third.result()).isEqualTo(Result.TRANSIENT);
        assertThat(third.stage()).isEqualTo(Stage.POLICY);
        assertThat(third.text()).contains("192.0.2.9").contains("per minute");
        assertThat(get(verify(v, "a@example.test", "192.0.2.9")).cached()).isTrue();
        assertThat(engineCalls).containsExactly("a@example.test", "b@example.test");
        verify(v, "c@example.test", "192.0.2.10");
        assertThat(engineCalls).as("another client has its own budget").contains("c@example.test");
    }

    @Test
    void beyondCapacityIsTransientAtOnceAndTheRefusalIsNotCached() throws Exception {
        GuardedVerifier v = verifier(new LimitSettings(1, 0, 100, 1000, 1000));
        CompletionStage<Verdict> first = verify(v, "a@example.test", "192.0.2.1");
        Verdict refused = get(verify(v, "b@other.test", "192.0.2.1"));
        assertThat(refused.result()).isEqualTo(Result.TRANSIENT);
        assertThat(refused.stage()).isEqualTo(Stage.POLICY);
        assertThat(refused.text()).isEqualTo("verification capacity exceeded");
        engine.pending("a@example.test").complete(verdict(Result.PASS, Stage.RCPT));
        get(first);
        verify(v, "b@other.test", "192.0.2.1");
        assertThat(engineCalls).containsExactly("a@example.test", "b@other.test");
    }

    @Test
    void aDomainLevelAnswerReachesRequestsWaitingForThatDomain() throws Exception {
        GuardedVerifier v = verifier(new LimitSettings(64, 1000, 1, 1000, 1000));
        CompletionStage<Verdict> a = verify(v, "a@example.test", "192.0.2.1");
        CompletionStage<Verdict> b = verify(v, "b@example.test", "192.0.2.1");
        assertThat(engineCalls).containsExactly("a@example.test");
        engine.pending("a@example.test").complete(verdict(Result.ERROR, Stage.MAIL));
        assertThat(get(a).result()).isEqualTo(Result.ERROR);
        Verdict fromDomain = get(b);
        assertThat(fromDomain.result()).isEqualTo(Result.ERROR);
        assertThat(fromDomain.stage()).isEqualTo(Stage.MAIL);
        assertThat(fromDomain.cached()).isTrue();
        assertThat(engineCalls).containsExactly("a@example.test");
    }

    @Test
    void anEngineThatThrowsGivesTransientInternalAndReleasesItsSlot() throws Exception {
        Protections limits = InMemoryProtections.start(CacheSettings.DEFAULTS, new LimitSettings(1, 0, 1, 1000, 1000));
        toClose.add(limits);
        GuardedVerifier v = limits.guard((target, dialog, known) -> {
            throw new IllegalStateException("boom");
        }, Duration.ofSeconds(5));
        Verdict first = get(verify(v, "a@example.test", "192.0.2.1"));
        assertThat(first.result()).isEqualTo(Result.TRANSIENT);
        assertThat(first.stage()).isEqualTo(Stage.INTERNAL);
        assertThat(first.text()).contains("boom");
        assertThat(limits.capacity().inFlight()).isZero();
    }

    @Test
    void joinersOfACallbackThatFailsShareItsOneInternalVerdict() throws Exception {
        GuardedVerifier v = verifier();
        List<CompletionStage<Verdict>> stages = verifyConcurrently(v, "forged@example.test", 3, 3);
        engine.pending("forged@example.test").completeExceptionally(new IllegalStateException("boom"));
        assertInternalErrors(stages);
        assertThat(engineCalls).as("one callback, not one per joiner").containsExactly("forged@example.test");
        assertThat(protections.memory().callbacksInFlight()).isZero();
    }

    @Test
    void joinersOfAnEngineThatThrowsShareItsOneInternalVerdict() throws Exception {
        Protections limits = InMemoryProtections.start(CacheSettings.DEFAULTS, new LimitSettings(64, 1000, 100, 1000, 1000));
        toClose.add(limits);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch joined = new CountDownLatch(1);
        GuardedVerifier v = limits.guard((target, dialog, known) -> {
            calls.incrementAndGet();
            awaitQuietly(joined);
            throw new IllegalStateException("boom");
        }, Duration.ofSeconds(5));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<CompletionStage<Verdict>> first = pool.submit(() -> verify(v, "forged@example.test", "192.0.2.1"));
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
            CompletionStage<Verdict> second = verify(v, "forged@example.test", "192.0.2.2");
            CompletionStage<Verdict> third = verify(v, "forged@example.test", "192.0.2.3");
            joined.countDown();
            assertInternalErrors(List.of(first.get(10, TimeUnit.SECONDS), second, third));
            assertThat(calls).as("one engine call, not one per joiner").hasValue(1);
            assertThat(limits.capacity().inFlight()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertInternalErrors(List<CompletionStage<Verdict>> stages) throws Exception {
        for (CompletionStage<Verdict> s : stages) {
            Verdict verdict = get(s);
            assertThat(verdict.result()).isEqualTo(Result.TRANSIENT);
            assertThat(verdict.stage()).isEqualTo(Stage.INTERNAL);
            assertThat(verdict.text()).startsWith("internal error: ").contains("boom");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aCallerCompletingOrCancellingItsStageChangesNoOneElses() throws Exception {
        GuardedVerifier v = verifier();
        CompletionStage<Verdict> first = verify(v, "a@example.test", "192.0.2.1");
        CompletionStage<Verdict> joiner = verify(v, "a@example.test", "192.0.2.2");
        CompletionStage<Verdict> another = verify(v, "a@example.test", "192.0.2.3");
        first.toCompletableFuture().cancel(true);
        joiner.toCompletableFuture().complete(verdict(Result.ERROR, Stage.RCPT));
        engine.pending("a@example.test").complete(verdict(Result.PASS, Stage.RCPT));
        assertThat(get(another).result()).isEqualTo(Result.PASS);
        assertThat(get(verify(v, "a@example.test", "192.0.2.4")).result()).as("remembered").isEqualTo(Result.PASS);
        assertThat(engineCalls).containsExactly("a@example.test");
    }

    @Test
    void theEngineIsToldWhenTheDomainIsKnownToAcceptAll() throws Exception {
        GuardedVerifier v = verifier();
        CompletionStage<Verdict> first = verify(v, "a@example.test", "192.0.2.1");
        engine.pending("a@example.test").complete(verdict(Result.PASS, Stage.RCPT).toBuilder()
            .acceptAll(Fact.of(true, "cbv-x@example.test answered 250 Ok")).build());
        get(first);

        verify(v, "b@alias.test", "192.0.2.1"); // the same domain after the map
        verify(v, "c@other.test", "192.0.2.1");

        assertThat(engineCalls).as("the fact answers for no address").containsExactly(
            "a@example.test", "b@alias.test", "c@other.test");
        assertThat(engineKnew).containsExactly(DomainFacts.NONE, DomainFacts.ACCEPTS_ALL, DomainFacts.NONE);
    }
}
