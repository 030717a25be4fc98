package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the guard counts for the operators (hits, misses, joins, refusals by limit), and the
 * operator's callback made now ({@link GuardedVerifier#verifyNow}): past the memory, not past the limits.
 */
class GuardCountsTest {
    private final FakeVerifier engine = new FakeVerifier().pendingCallbacks();
    private final List<String> engineCalls = engine.askedAsText();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final GuardEvents recording = new GuardEvents() {
        @Override
        public void hit() {
            events.add("hit");
        }

        @Override
        public void miss() {
            events.add("miss");
        }

        @Override
        public void joined() {
            events.add("joined");
        }

        @Override
        public void refused(Limit limit) {
            events.add("refused " + limit.word());
        }
    };
    private Protections protections;

    /** Admission waits are short: a request that must wait for a limit is refused within 200 ms. */
    private GuardedVerifier verifier(LimitSettings limits) {
        protections = InMemoryProtections.start(CacheSettings.DEFAULTS, limits);
        return protections.guard(engine, Duration.ofMillis(200), recording);
    }

    @AfterEach
    void close() {
        if (protections != null) {
            protections.close();
        }
    }

    private static CompletionStage<Verdict> verify(GuardedVerifier v, String address, String client) throws Exception {
        return v.verify(DomainMap.EMPTY.route(EmailAddress.parse(address)),
            Optional.of(InetAddress.getByName(client)), DialogListener.NONE);
    }

    private static CompletionStage<Verdict> verifyNow(GuardedVerifier v, String address, DialogListener dialog) throws Exception {
        return v.verifyNow(DomainMap.EMPTY.route(EmailAddress.parse(address)), Optional.empty(), dialog);
    }

    private static Verdict get(CompletionStage<Verdict> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Verdict rcpt(Result r) {
        return Verdict.builder(r, Stage.RCPT).code(r == Result.PASS ? 250 : 550).domain("example.test").build();
    }

    private static LimitSettings generous() {
        return new LimitSettings(64, 1000, 100, 1000, 1000);
    }

    @Test
    void aClaimIsAMissAJoinIsAJoinAndAnAnswerFromMemoryIsAHit() throws Exception {
        GuardedVerifier v = verifier(generous());
        CompletionStage<Verdict> first = verify(v, "a@example.test", "192.0.2.1");
        CompletionStage<Verdict> joining = verify(v, "a@example.test", "192.0.2.2");
        engine.pending("a@example.test").complete(rcpt(Result.PASS));
        get(first);
        get(joining);
        get(verify(v, "a@example.test", "192.0.2.3"));

        assertThat(events).containsExactly("miss", "joined", "hit");
    }

    @Test
    void aDomainVerdictAnsweringForAnotherAddressIsAHit() throws Exception {
        GuardedVerifier v = verifier(generous());
        CompletionStage<Verdict> first = verify(v, "a@example.test", "192.0.2.1");
        engine.pending("a@example.test").complete(Verdict.builder(Result.ERROR, Stage.MAIL).code(550).build());
        get(first);
        assertThat(get(verify(v, "b@example.test", "192.0.2.1")).cached()).isTrue();

        assertThat(events).containsExactly("miss", "hit");
    }

    @Test
    void eachLimitCountsItsOwnRefusals() throws Exception {
        // two callbacks in the process and none queued, one slot and one callback a minute per domain, one per client
        GuardedVerifier v = verifier(new LimitSettings(2, 0, 1, 1, 1));
        verify(v, "a@busy.test", "192.0.2.1");                                      // starts: busy.test full
        assertThat(get(verify(v, "b@busy.test", "192.0.2.2")).text()).contains("already in flight");
        verify(v, "x@other.test", "192.0.2.3");                                     // starts: the process full
        assertThat(get(verify(v, "c@third.test", "192.0.2.4")).text()).isEqualTo(ProcessCapacity.CAPACITY_EXCEEDED);
        engine.pending("a@busy.test").complete(rcpt(Result.PASS));
        assertThat(get(verify(v, "d@busy.test", "192.0.2.5")).text()).contains("rate of 1 per minute");
        verify(v, "e@fourth.test", "192.0.2.9");                                    // the client's one a minute
        assertThat(get(verify(v, "f@fifth.test", "192.0.2.9")).text()).contains("exceeded 1 new callbacks");

        assertThat(events).containsExactly("miss", "miss", "refused domainConcurrency", "miss", "miss",
            "refused capacity", "miss", "refused domainRate", "miss", "miss", "refused clientRate");
    }

    @Test
    void aCallbackNowIsMadeDespiteARememberedVerdictAndReplacesIt() throws Exception {
        Queue<Verdict> answers = new ConcurrentLinkedQueue<>(
            List.of(rcpt(Result.ERROR), rcpt(Result.PASS)));
        FakeVerifier twice = new FakeVerifier().answering(a -> CompletableFuture.completedFuture(answers.poll()));
        protections = InMemoryProtections.start(CacheSettings.DEFAULTS, generous());
        GuardedVerifier v = protections.guard(twice, Duration.ofMillis(200), recording);
        assertThat(get(verify(v, "a@example.test", "192.0.2.1")).result()).isEqualTo(Result.ERROR);

        Verdict fresh = get(verifyNow(v, "a@example.test", DialogListener.NONE));

        assertThat(fresh.cached()).isFalse();
        assertThat(fresh.result()).isEqualTo(Result.PASS);
        assertThat(twice.askedAsText()).containsExactly("a@example.test", "a@example.test");
        Verdict remembered = get(verify(v, "a@example.test", "192.0.2.1"));
        assertThat(remembered.result()).as("remembered like any other").isEqualTo(Result.PASS);
        assertThat(remembered.cached()).isTrue();
        assertThat(events).as("the callback now is neither a hit nor a miss").containsExactly("miss", "hit");
    }

    @Test
    void aCallbackNowIsToldNothingOfTheDomain() throws Exception {
        GuardedVerifier v = verifier(generous());
        CompletionStage<Verdict> first = verify(v, "a@example.test", "192.0.2.1");
        engine.pending("a@example.test").complete(rcpt(Result.PASS).toBuilder()
            .acceptAll(Fact.of(true, "cbv-x@example.test answered 250 Ok")).build());
        get(first);

        verifyNow(v, "b@example.test", DialogListener.NONE);

        assertThat(engine.knew()).containsExactly(DomainFacts.NONE, DomainFacts.NONE);
    }

    @Test
    void aCallbackNowStaysWithinTheDomainsLimits() throws Exception {
        GuardedVerifier v = verifier(new LimitSettings(64, 1000, 1, 1000, 1000));
        verify(v, "a@example.test", "192.0.2.1");

        Verdict refused = get(verifyNow(v, "b@example.test", DialogListener.NONE));

        assertThat(refused.result()).isEqualTo(Result.TRANSIENT);
        assertThat(refused.stage()).isEqualTo(Stage.POLICY);
        assertThat(refused.text()).contains("already in flight");
        assertThat(engineCalls).containsExactly("a@example.test");
        assertThat(events).containsExactly("miss", "refused domainConcurrency");
    }
}
