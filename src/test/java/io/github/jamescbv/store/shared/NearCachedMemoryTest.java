package io.github.jamescbv.store.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import io.github.jamescbv.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class NearCachedMemoryTest {
    private static final Duration LIFETIME = Duration.ofSeconds(5);
    private static final Duration PASS_TTL = Duration.ofDays(7);
    private static final CacheSettings SETTINGS = new CacheSettings(PASS_TTL, Duration.ofHours(3), Duration.ofMinutes(5), 1000);
    private static final Supplier<CompletionStage<Verdict>> NO_CALLBACK = () -> {
        throw new AssertionError("a hit must not call back");
    };

    private final ManualClock clock = new ManualClock();
    private final InMemoryVerdictMemory store = new InMemoryVerdictMemory(SETTINGS, clock);
    private final CountingMemory shared = new CountingMemory(store);
    private final NearCachedMemory memory = new NearCachedMemory(shared, SETTINGS, clock, 3, LIFETIME);

    @Test
    void aHitWithinTheLifetimeAsksNothingOfTheSharedStoreAndAnswersAtOnce() {
        remember("a@d.test", pass());
        assertThat(ask("a@d.test")).isCompletedWithValue(cached(pass()));
        int afterFirst = shared.lookups.get();
        clock.advance(LIFETIME.minusMillis(1));
        CompletableFuture<Verdict> hit = ask("a@d.test");
        assertThat(hit).isCompletedWithValue(cached(pass()));
        assertThat(shared.lookups).hasValue(afterFirst);
    }

    @Test
    void afterItsLifetimeTheSharedStoreIsAskedAgain() {
        remember("a@d.test", pass());
        ask("a@d.test");
        int afterFirst = shared.lookups.get();
        clock.advance(LIFETIME);
        assertThat(ask("a@d.test")).isCompletedWithValue(cached(pass()));
        assertThat(shared.lookups).hasValue(afterFirst + 1);
    }

    @Test
    void aNearEntryNeverOutlivesTheVerdict() {
        remember("a@d.test", pass());
        clock.advance(PASS_TTL.minusSeconds(1));
        assertThat(ask("a@d.test")).as("old enough to be renewed").isCompletedWithValue(cached(pass()).toBuilder().refreshing(true).build());
        clock.advance(Duration.ofSeconds(1));
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        CompletableFuture<Verdict> afterExpiry = memory.recallOrCall("a@d.test", "d.test", () -> remote).toCompletableFuture();
        assertThat(afterExpiry).as("expired: called back, not answered from the near copy").isNotDone();
        remote.complete(pass());
        assertThat(afterExpiry).isCompletedWithValue(pass());
    }

    @Test
    void aNearEntryOfAPassEndsWhenThePassBecomesDueForRenewal() {
        remember("a@d.test", pass());
        clock.advance(SETTINGS.passRefresh().minusSeconds(1));
        assertThat(ask("a@d.test")).isCompletedWithValue(cached(pass()));
        int afterFirst = shared.lookups.get();
        clock.advance(Duration.ofSeconds(1));
        assertThat(ask("a@d.test")).as("within the near lifetime, but due: the shared store's answer")
            .isCompletedWithValue(cached(pass()).toBuilder().refreshing(true).build());
        assertThat(shared.lookups).hasValue(afterFirst + 1);
    }

    @Test
    void itHoldsAtMostItsBoundDroppingTheOldestFirst() {
        for (String a : new String[] {"a@d.test", "b@d.test", "c@d.test", "e@d.test"}) {
            remember(a, pass());
            ask(a);
        }
        assertThat(memory.nearEntries()).isEqualTo(3);
        int before = shared.lookups.get();
        ask("e@d.test");
        assertThat(shared.lookups).as("the newest is held").hasValue(before);
        ask("a@d.test");
        assertThat(shared.lookups).as("the oldest went").hasValue(before + 1);
    }

    @Test
    void thisNodesWritesAndForgetsDropTheNearCopyAtOnce() {
        remember("a@d.test", pass());
        ask("a@d.test");
        Verdict refused = Verdict.builder(Result.ERROR, Stage.RCPT).code(550).domain("d.test").build();
        remember("a@d.test", refused);
        assertThat(ask("a@d.test")).isCompletedWithValue(cached(refused));
        memory.forgetAddress("a@d.test");
        assertThat(ask("a@d.test", () -> new CompletableFuture<>())).isNotDone();
    }

    @Test
    void aDomainWideVerdictIsDroppedForEveryAddressItAnswered() {
        Verdict unreachable = Verdict.builder(Result.TRANSIENT, Stage.CONNECT).domain("d.test").build();
        remember("x@d.test", unreachable);
        assertThat(ask("a@d.test")).isCompletedWithValue(cached(unreachable));
        remember("y@d.test", pass());
        Verdict refused = Verdict.builder(Result.ERROR, Stage.MAIL).code(550).domain("d.test").build();
        remember("z@d.test", refused);
        assertThat(ask("a@d.test")).isCompletedWithValue(cached(refused));
    }

    /** The one thing a near-cache gives up: another node's forget is seen here once the near copy ends. */
    @Test
    void anotherNodesForgetIsSeenAfterTheNearLifetimeAtMost() {
        NearCachedMemory otherNode = new NearCachedMemory(shared, SETTINGS, clock, 3, LIFETIME);
        remember("a@d.test", pass());
        ask("a@d.test");
        otherNode.forgetAddress("a@d.test");
        assertThat(ask("a@d.test")).as("still the near copy").isCompletedWithValue(cached(pass()));
        clock.advance(LIFETIME);
        assertThat(ask("a@d.test", () -> new CompletableFuture<>())).isNotDone();
    }

    @Test
    void aZeroLifetimeTurnsItOff() {
        NearCachedMemory off = new NearCachedMemory(shared, SETTINGS, clock, 3, Duration.ZERO);
        remember("a@d.test", pass());
        off.recallOrCall("a@d.test", "d.test", NO_CALLBACK);
        off.recallOrCall("a@d.test", "d.test", NO_CALLBACK);
        assertThat(shared.lookups).hasValue(2);
        assertThat(off.nearEntries()).isZero();
    }

    @Test
    void badBoundsNameTheValue() {
        assertThatThrownBy(() -> new NearCachedMemory(shared, SETTINGS, clock, -1, LIFETIME)).hasMessageContaining("'-1'");
        assertThatThrownBy(() -> new NearCachedMemory(shared, SETTINGS, clock, 1, Duration.ofSeconds(-1))).hasMessageContaining("lifetime");
    }

    private CompletableFuture<Verdict> ask(String address) {
        return ask(address, NO_CALLBACK);
    }

    private CompletableFuture<Verdict> ask(String address, Supplier<CompletionStage<Verdict>> callback) {
        return memory.recallOrCall(address, "d.test", callback).toCompletableFuture();
    }

    private void remember(String address, Verdict v) {
        memory.remember(address, "d.test", v).toCompletableFuture().join();
    }

    private static Verdict pass() {
        return Verdict.builder(Result.PASS, Stage.RCPT).code(250).domain("d.test").build();
    }

    private static Verdict cached(Verdict v) {
        return v.toBuilder().cached(true).build();
    }
}
