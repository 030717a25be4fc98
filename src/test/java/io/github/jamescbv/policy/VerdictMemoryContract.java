package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.testing.AllAtOnce;
import io.github.jamescbv.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link VerdictMemory} must do, whatever holds it: extend this class with
 * {@link #newMemory} and it runs against your store. Time is {@link ManualClock}'s: a store must
 * take its expiries from the {@link io.github.jamescbv.core.Ticker} it is given. A store that
 * answers later than the call (over the network) is given a bounded wait ({@link #timing}).
 */
public abstract class VerdictMemoryContract {
    protected static final Duration PASS_TTL = Duration.ofDays(7);
    protected static final Duration ERROR_TTL = Duration.ofHours(3);
    protected static final Duration TRANSIENT_TTL = Duration.ofMinutes(5);
    protected static final Duration DNS_FAILURE_TTL = Duration.ofSeconds(30);
    protected static final Duration PASS_REFRESH = Duration.ofDays(1);
    private static final Duration MS = Duration.ofMillis(1);
    private static final String A = "a@d.test";
    private static final String D = "d.test";

    protected final ManualClock clock = new ManualClock();
    private VerdictMemory memory;

    /** An empty memory on {@code clock}, its expiries on {@code clock.wallMillis()}. */
    protected abstract VerdictMemory newMemory(CacheSettings settings, ManualClock clock);

    /** {@link AnswerTiming#AT_ONCE} for a store that answers in the caller's thread. */
    protected AnswerTiming timing() {
        return AnswerTiming.LATER;
    }

    @BeforeEach
    void open() {
        memory = newMemory(settings(), clock);
    }

    @AfterEach
    void close() {
        memory.close();
    }

    private static CacheSettings settings() {
        return new CacheSettings(PASS_TTL, ERROR_TTL, TRANSIENT_TTL, 1000, DNS_FAILURE_TTL).withPassRefresh(PASS_REFRESH);
    }

    // --- answer or claim

    @Test
    void aMissRunsTheCallbackAndItsVerdictIsEveryonesWhileItRuns() {
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Verdict> first = ask(A, counting(calls, remote));
        CompletableFuture<Verdict> joiner = ask(A, counting(calls, remote));
        timing().eventually(() -> assertThat(calls).hasValue(1));
        timing().eventually(() -> assertThat(memory.callbacksInFlight()).isEqualTo(1));
        Verdict v = verdict(Result.ERROR, Stage.RCPT);
        remote.complete(v);
        assertThat(done(first)).isEqualTo(v);
        assertThat(done(joiner)).isEqualTo(v);
        timing().eventually(() -> assertThat(memory.callbacksInFlight()).isZero());
        assertThat(calls).hasValue(1);
    }

    @Test
    void eachCallerGetsItsOwnStage() {
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Verdict> first = ask(A, counting(calls, remote));
        CompletableFuture<Verdict> joiner = ask(A, counting(calls, remote));
        CompletableFuture<Verdict> another = ask(A, counting(calls, remote));
        first.cancel(true);
        joiner.complete(verdict(Result.PASS, Stage.RCPT));
        Verdict v = verdict(Result.ERROR, Stage.RCPT);
        remote.complete(v);
        assertThat(done(another)).as("what others did with their stages is not this caller's answer").isEqualTo(v);
        timing().eventually(() -> assertThat(memory.callbacksInFlight()).isZero());
        assertThat(calls).hasValue(1);
    }

    @Test
    void atMostOneCallbackPerAddressUnderConcurrency() throws Exception {
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        List<CompletableFuture<Verdict>> answers = AllAtOnce.run(400, 8, i -> ask(A, counting(calls, remote)));
        timing().eventually(() -> assertThat(calls).hasValue(1));
        Verdict v = verdict(Result.PASS, Stage.RCPT);
        remote.complete(v);
        for (CompletableFuture<Verdict> a : answers) {
            assertThat(a.get(30, TimeUnit.SECONDS)).isEqualTo(v);
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void aFailedCallbackFreesTheAddress() {
        CompletableFuture<Verdict> failed = ask(A, () -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
        timing().failure(failed);
        CompletableFuture<Verdict> thrown = ask(A, () -> {
            throw new IllegalStateException("boom");
        });
        timing().failure(thrown);
        AtomicInteger calls = new AtomicInteger();
        Verdict v = verdict(Result.ERROR, Stage.RCPT);
        assertThat(done(ask(A, counting(calls, CompletableFuture.completedFuture(v))))).isEqualTo(v);
        assertThat(calls).as("the next request calls back again").hasValue(1);
        timing().eventually(() -> assertThat(memory.callbacksInFlight()).isZero());
    }

    @Test
    void anEndedCallbackFreesTheAddressAndOnlyWhatWasRememberedAnswers() {
        AtomicInteger calls = new AtomicInteger();
        Verdict v = verdict(Result.ERROR, Stage.RCPT);
        done(ask(A, counting(calls, CompletableFuture.completedFuture(v))));
        done(ask(A, counting(calls, CompletableFuture.completedFuture(v))));
        assertThat(calls).as("recallOrCall does not remember by itself").hasValue(2);
    }

    @Test
    void aRememberedVerdictAnswersAtOnceMarkedCachedWithoutTheCallback() {
        Verdict v = verdict(Result.PASS, Stage.RCPT);
        remember(A, v);
        CompletableFuture<Verdict> hit = ask(A, () -> {
            throw new AssertionError("a hit must not call back");
        });
        assertThat(timing().value(hit)).isEqualTo(cached(v));
        assertThat(memory.callbacksInFlight()).isZero();
    }

    // --- lifetimes

    @Test
    void eachResultLivesForItsTtl() {
        remember("p@d.test", verdict(Result.PASS, Stage.RCPT));
        remember("e@d.test", verdict(Result.ERROR, Stage.RCPT));
        remember("t@d.test", verdict(Result.TRANSIENT, Stage.RCPT));
        clock.advance(TRANSIENT_TTL.minus(MS));
        assertThat(answer("t@d.test")).isNotNull();
        clock.advance(MS);
        assertThat(answer("t@d.test")).isNull();
        clock.advance(ERROR_TTL.minus(TRANSIENT_TTL).minus(MS));
        assertThat(answer("e@d.test")).isNotNull();
        clock.advance(MS);
        assertThat(answer("e@d.test")).isNull();
        clock.advance(PASS_TTL.minus(ERROR_TTL).minus(MS));
        assertThat(answer("p@d.test")).isNotNull();
        clock.advance(MS);
        assertThat(answer("p@d.test")).isNull();
    }

    @Test
    void aTransientNeverReplacesAStillValidPassButAnErrorDoes() {
        remember(A, verdict(Result.PASS, Stage.RCPT));
        remember(A, verdict(Result.TRANSIENT, Stage.RCPT));
        assertThat(answer(A).result()).isEqualTo(Result.PASS);
        remember(A, verdict(Result.ERROR, Stage.RCPT));
        assertThat(answer(A).result()).isEqualTo(Result.ERROR);
    }

    @Test
    void aTransientReplacesAnExpiredPass() {
        remember(A, verdict(Result.PASS, Stage.RCPT));
        clock.advance(PASS_TTL);
        remember(A, verdict(Result.TRANSIENT, Stage.RCPT));
        assertThat(answer(A).result()).isEqualTo(Result.TRANSIENT);
    }

    @Test
    void internalVerdictsAndCachedOnesAreNeverRemembered() {
        remember(A, verdict(Result.TRANSIENT, Stage.INTERNAL));
        assertThat(answer(A)).isNull();
        remember(A, cached(verdict(Result.PASS, Stage.RCPT)));
        assertThat(answer(A)).isNull();
        assertThat(size()).isZero();
    }

    @Test
    void aVerdictDecidedBeforeRcptAnswersForTheWholeDomain() {
        Verdict refused = verdict(Result.ERROR, Stage.MAIL);
        remember(A, refused);
        assertThat(answer("someone.else@d.test")).isEqualTo(cached(refused));
        assertThat(answer("x@other.test")).isNull();
        clock.advance(ERROR_TTL);
        assertThat(answer("someone.else@d.test")).isNull();
    }

    @Test
    void aTlsFailureAnswersForTheDomainLikeAnyFailureBeforeRcpt() {
        remember(A, verdict(Result.TRANSIENT, Stage.TLS));
        assertThat(answer("someone.else@d.test").stage()).isEqualTo(Stage.TLS);
    }

    @Test
    void theAddressIsAskedBeforeTheDomain() {
        remember(A, verdict(Result.PASS, Stage.RCPT));
        remember("b@d.test", verdict(Result.TRANSIENT, Stage.CONNECT));
        assertThat(answer(A).stage()).isEqualTo(Stage.RCPT);
        assertThat(answer("c@d.test").stage()).isEqualTo(Stage.CONNECT);
    }

    // --- DNS failures

    @Test
    void aDnsFailureAnswersForTheDomainOnlyForDnsFailureTtl() {
        Verdict servfail = dnsFailure(DnsFailure.SERVFAIL, "d.test");
        Verdict timeout = dnsFailure(DnsFailure.TIMEOUT, "slow.test");
        remember(A, servfail);
        remember("a@slow.test", timeout);
        assertThat(answer("someone.else@d.test")).as("round-trips, cause included").isEqualTo(cached(servfail));
        assertThat(answer("someone.else@slow.test")).isEqualTo(cached(timeout));
        clock.advance(DNS_FAILURE_TTL.minus(MS));
        assertThat(answer("someone.else@d.test")).isNotNull();
        assertThat(answer("someone.else@slow.test")).isNotNull();
        clock.advance(MS);
        assertThat(answer("someone.else@d.test")).as("not transientTtl: a DNS failure is a moment").isNull();
        assertThat(answer("someone.else@slow.test")).isNull();
    }

    @Test
    void aResolverThatCouldNotBeReachedIsNeverRemembered() {
        Verdict held = verdict(Result.ERROR, Stage.MAIL);
        remember("b@d.test", held);
        remember(A, dnsFailure(DnsFailure.RESOLVER_UNREACHABLE, D));
        assertThat(answer(A)).as("what was known of the domain stays").isEqualTo(cached(held));
        assertThat(size()).isEqualTo(1);
        remember("a@other.test", dnsFailure(DnsFailure.RESOLVER_UNREACHABLE, "other.test"));
        assertThat(answer("a@other.test")).isNull();
        assertThat(size()).isEqualTo(1);
    }

    @Test
    void aResolverThatCouldNotBeReachedAnswersOnlyThoseWhoJoinedTheCallback() {
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        Verdict unreachable = dnsFailure(DnsFailure.RESOLVER_UNREACHABLE, D);
        // As the guarded verifier does: remember, then complete.
        Supplier<CompletionStage<Verdict>> callback = () -> {
            calls.incrementAndGet();
            return remote.thenCompose(v -> memory.remember(A, D, v).thenApply(ignored -> v));
        };
        CompletableFuture<Verdict> first = ask(A, callback);
        CompletableFuture<Verdict> joiner = ask(A, callback);
        timing().eventually(() -> assertThat(calls).hasValue(1));
        remote.complete(unreachable);
        assertThat(done(first)).isEqualTo(unreachable);
        assertThat(done(joiner)).isEqualTo(unreachable);
        timing().eventually(() -> assertThat(memory.callbacksInFlight()).isZero());
        Verdict pass = verdict(Result.PASS, Stage.RCPT);
        assertThat(done(ask(A, counting(calls, CompletableFuture.completedFuture(pass))))).isEqualTo(pass);
        assertThat(calls).as("the next request calls back at once").hasValue(2);
    }

    // --- refresh ahead

    @Test
    void aPassAnswersAsItIsUntilItIsPassRefreshOldThenMarkedRefreshingWithoutACallback() {
        Verdict pass = verdict(Result.PASS, Stage.RCPT);
        remember(A, pass);
        clock.advance(PASS_REFRESH.minus(MS));
        assertThat(timing().value(ask(A, noCallback()))).isEqualTo(cached(pass));
        assertThat(answer(A)).isEqualTo(cached(pass));
        clock.advance(MS);
        assertThat(timing().value(ask(A, noCallback()))).isEqualTo(refreshing(pass));
        assertThat(answer(A)).as("recall marks it as recallOrCall does").isEqualTo(refreshing(pass));
        assertThat(memory.callbacksInFlight()).isZero();
        clock.advance(PASS_TTL.minus(PASS_REFRESH).minus(MS));
        assertThat(timing().value(ask(A, noCallback()))).as("until it expires").isEqualTo(refreshing(pass));
    }

    @Test
    void onlyAPassIsEverMarkedRefreshingAndAnAcceptAllFactNever() {
        VerdictMemory quick = newMemory(new CacheSettings(PASS_TTL, ERROR_TTL, TRANSIENT_TTL, 1000)
            .withPassRefresh(Duration.ofMinutes(1)), clock);
        try {
            done(quick.remember("e@d.test", D, verdict(Result.ERROR, Stage.RCPT)));
            done(quick.remember("t@d.test", D, verdict(Result.TRANSIENT, Stage.RCPT)));
            done(quick.remember("p@d.test", D, acceptingAll(verdict(Result.PASS, Stage.RCPT), true)));
            clock.advance(Duration.ofMinutes(2));
            assertThat(VerdictMemory.answer(done(quick.recall("e@d.test", D))).orElseThrow().refreshing()).isFalse();
            assertThat(VerdictMemory.answer(done(quick.recall("t@d.test", D))).orElseThrow().refreshing()).isFalse();
            List<Remembered> held = done(quick.recall("p@d.test", D));
            assertThat(held).extracting(Remembered::scope).containsExactly(CacheScope.ADDRESS, CacheScope.ACCEPT_ALL);
            assertThat(held).extracting(r -> r.verdict().refreshing()).containsExactly(true, false);
        } finally {
            quick.close();
        }
    }

    @Test
    void passRefreshZeroNeverMarksAPass() {
        VerdictMemory never = newMemory(new CacheSettings(PASS_TTL, ERROR_TTL, TRANSIENT_TTL, 1000)
            .withPassRefresh(Duration.ZERO), clock);
        try {
            Verdict pass = verdict(Result.PASS, Stage.RCPT);
            done(never.remember(A, D, pass));
            clock.advance(PASS_TTL.minus(MS));
            assertThat(timing().value(never.recallOrCall(A, D, noCallback()).toCompletableFuture())).isEqualTo(cached(pass));
        } finally {
            never.close();
        }
    }

    @Test
    void aPassRememberedAgainIsYoungAgainButATransientLeavesTheOldPassAsOldAsItIs() {
        Verdict pass = verdict(Result.PASS, Stage.RCPT);
        remember(A, pass);
        clock.advance(PASS_REFRESH);
        remember(A, verdict(Result.TRANSIENT, Stage.RCPT));
        assertThat(answer(A)).as("kept, and still due").isEqualTo(refreshing(pass));
        remember(A, pass);
        long renewedAt = clock.wallMillis();
        assertThat(answer(A)).isEqualTo(cached(pass));
        assertThat(VerdictMemory.answering(done(memory.recall(A, D))).orElseThrow().madeAtMillis()).isEqualTo(renewedAt);
        assertThat(timing().value(ask(A, noCallback()))).isEqualTo(cached(pass));
    }

    @Test
    void aRefreshRunsTheCallbackThoughAVerdictIsHeldWhichAnswersAtOnceMeanwhile() {
        Verdict pass = verdict(Result.PASS, Stage.RCPT);
        remember(A, pass);
        clock.advance(PASS_REFRESH);
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Verdict> refresh = refresh(A, counting(calls, remote));
        timing().eventually(() -> assertThat(calls).hasValue(1));
        CompletableFuture<Verdict> again = refresh(A, counting(calls, remote));
        assertThat(timing().value(ask(A, noCallback()))).as("not held up by the renewal").isEqualTo(refreshing(pass));
        timing().eventually(() -> assertThat(memory.callbacksInFlight()).isEqualTo(1));
        Verdict error = verdict(Result.ERROR, Stage.RCPT);
        remote.complete(error);
        assertThat(done(refresh)).isEqualTo(error);
        assertThat(done(again)).as("joined the renewal under way").isEqualTo(error);
        assertThat(calls).hasValue(1);
        timing().eventually(() -> assertThat(memory.callbacksInFlight()).isZero());
        assertThat(answer(A)).as("refresh does not remember by itself").isEqualTo(refreshing(pass));
        done(refresh(A, counting(calls, CompletableFuture.completedFuture(error))));
        assertThat(calls).as("the address is free again once the renewal ended").hasValue(2);
    }

    @Test
    void atMostOneRenewalPerAddressUnderConcurrency() throws Exception {
        remember(A, verdict(Result.PASS, Stage.RCPT));
        clock.advance(PASS_REFRESH);
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        List<CompletableFuture<Verdict>> renewals = AllAtOnce.run(400, 8, i -> refresh(A, counting(calls, remote)));
        timing().eventually(() -> assertThat(calls).hasValue(1));
        Verdict renewed = verdict(Result.PASS, Stage.RCPT);
        remember(A, renewed); // as the renewal does before it ends
        remote.complete(renewed);
        for (CompletableFuture<Verdict> r : renewals) {
            assertThat(r.get(30, TimeUnit.SECONDS).result()).isEqualTo(Result.PASS);
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void aRequestThatFindsNothingHeldWhileARenewalRunsGetsWhatTheRenewalRemembered() {
        remember(A, verdict(Result.PASS, Stage.RCPT));
        clock.advance(PASS_REFRESH);
        CompletableFuture<Verdict> remote = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Verdict> refresh = refresh(A, counting(calls, remote));
        timing().eventually(() -> assertThat(calls).hasValue(1));
        clock.advance(PASS_TTL); // the pass expires while its renewal runs
        CompletableFuture<Verdict> expired = ask(A, counting(calls, CompletableFuture.completedFuture(verdict(Result.PASS, Stage.RCPT))));
        timing().stillWaiting("waits for the renewal, calls back no second time", expired);
        Verdict error = verdict(Result.ERROR, Stage.RCPT);
        remember(A, error);
        remote.complete(error);
        assertThat(done(refresh)).isEqualTo(error);
        assertThat(done(expired).result()).isEqualTo(Result.ERROR);
        assertThat(calls).hasValue(1);
    }

    // --- facts

    @Test
    void anAcceptAllFactIsRememberedForThePassLifetimeAndAnswersForNoAddress() {
        remember(A, acceptingAll(verdict(Result.PASS, Stage.RCPT), true));
        assertThat(facts(D)).isEqualTo(DomainFacts.ACCEPTS_ALL);
        assertThat(answer("b@d.test")).as("a fact is no verdict").isNull();
        assertThat(facts("other.test")).isEqualTo(DomainFacts.NONE);
        clock.advance(PASS_TTL.minus(MS));
        assertThat(facts(D)).isEqualTo(DomainFacts.ACCEPTS_ALL);
        clock.advance(MS);
        assertThat(facts(D)).isEqualTo(DomainFacts.NONE);
    }

    @Test
    void anAcceptAllFactIsForgottenWhenALaterVerdictSaysOtherwise() {
        remember(A, acceptingAll(verdict(Result.PASS, Stage.RCPT), true));
        remember("b@d.test", acceptingAll(verdict(Result.ERROR, Stage.RCPT), false));
        assertThat(facts(D)).isEqualTo(DomainFacts.NONE);
    }

    @Test
    void aFactCarriedOverFromMemoryDoesNotExtendItself() {
        Verdict learnt = acceptingAll(verdict(Result.PASS, Stage.RCPT), true);
        remember(A, learnt);
        clock.advance(PASS_TTL.minus(MS));
        remember("b@d.test", learnt.toBuilder().acceptAll(Fact.remembered(true, "cbv-x@d.test answered")).build());
        clock.advance(MS);
        assertThat(facts(D)).isEqualTo(DomainFacts.NONE);
    }

    // --- the plain lookup, forgetting, size

    @Test
    void recallShowsWhatBearsOnTheAddressWithWhenItWasMadeAndItsExpiry() {
        long now = clock.wallMillis();
        Verdict pass = acceptingAll(verdict(Result.PASS, Stage.RCPT), true);
        remember(A, pass);
        Verdict refused = verdict(Result.TRANSIENT, Stage.CONNECT);
        remember("b@d.test", refused);
        List<Remembered> held = done(memory.recall(A, D));
        assertThat(held).containsExactly(
            new Remembered(CacheScope.ADDRESS, A, cached(pass), now, now + PASS_TTL.toMillis()),
            new Remembered(CacheScope.DOMAIN, D, cached(refused), now, now + TRANSIENT_TTL.toMillis()),
            new Remembered(CacheScope.ACCEPT_ALL, D, cached(pass), now, now + PASS_TTL.toMillis()));
        assertThat(VerdictMemory.answer(held)).contains(cached(pass));
        assertThat(done(memory.recall("nobody@else.test", "else.test"))).isEmpty();
    }

    @Test
    void forgettingAnAddressLeavesTheRest() {
        remember(A, verdict(Result.ERROR, Stage.RCPT));
        remember("b@d.test", verdict(Result.ERROR, Stage.RCPT));
        assertThat(done(memory.forgetAddress(A))).isTrue();
        assertThat(done(memory.forgetAddress(A))).isFalse();
        assertThat(answer(A)).isNull();
        assertThat(answer("b@d.test")).isNotNull();
        assertThat(size()).isEqualTo(1);
    }

    @Test
    void forgettingADomainForgetsItsAddressesItsVerdictAndItsFacts() {
        remember(A, acceptingAll(verdict(Result.PASS, Stage.RCPT), true));
        remember("b@d.test", verdict(Result.ERROR, Stage.RCPT));
        remember("c@other.test", verdict(Result.ERROR, Stage.RCPT));
        remember("x@sub.d.test", verdict(Result.ERROR, Stage.RCPT));
        remember("y@sub.d.test", verdict(Result.TRANSIENT, Stage.HELO));
        assertThat(size()).isEqualTo(6);
        assertThat(done(memory.forgetDomain(D))).isEqualTo(3);
        assertThat(answer(A)).isNull();
        assertThat(answer("b@d.test")).isNull();
        assertThat(facts(D)).isEqualTo(DomainFacts.NONE);
        assertThat(answer("c@other.test")).isNotNull();
        assertThat(answer("x@sub.d.test")).as("another domain").isNotNull();
        assertThat(size()).isEqualTo(3);
    }

    @Test
    void sizeCountsAddressesDomainsAndFacts() {
        assertThat(size()).isZero();
        remember(A, acceptingAll(verdict(Result.PASS, Stage.RCPT), true));
        remember("b@d.test", verdict(Result.ERROR, Stage.MAIL));
        assertThat(size()).isEqualTo(3);
    }

    // --- helpers

    private CompletableFuture<Verdict> ask(String address, Supplier<? extends CompletionStage<Verdict>> callback) {
        return memory.recallOrCall(address, D, callback).toCompletableFuture();
    }

    private CompletableFuture<Verdict> refresh(String address, Supplier<? extends CompletionStage<Verdict>> callback) {
        return memory.refresh(address, D, callback).toCompletableFuture();
    }

    private static Supplier<CompletionStage<Verdict>> noCallback() {
        return () -> {
            throw new AssertionError("a hit must not call back");
        };
    }

    private static Supplier<CompletionStage<Verdict>> counting(AtomicInteger calls, CompletionStage<Verdict> outcome) {
        return () -> {
            calls.incrementAndGet();
            return outcome;
        };
    }

    private void remember(String address, Verdict v) {
        done(memory.remember(address, domainOf(address), v));
    }

    /** The verdict that answers for the address now, or null. */
    private Verdict answer(String address) {
        return VerdictMemory.answer(done(memory.recall(address, domainOf(address)))).orElse(null);
    }

    private DomainFacts facts(String domain) {
        return done(memory.domainFacts(domain));
    }

    private long size() {
        return done(memory.size());
    }

    private static String domainOf(String address) {
        return address.substring(address.indexOf('@') + 1);
    }

    private static <T> T done(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the memory's stage did not complete normally", e);
        }
    }

    private static Verdict verdict(Result result, Stage stage) {
        return Verdict.builder(result, stage).code(result == Result.PASS ? 250 : result == Result.ERROR ? 550 : 450)
            .text(result.word() + " at " + stage.word()).mxHost("mx.d.test").ip("192.0.2.25").domain(D)
            .elapsed(Duration.ofMillis(12)).build();
    }

    private static Verdict dnsFailure(DnsFailure cause, String domain) {
        return Verdict.builder(Result.TRANSIENT, Stage.DNS).text("MX lookup for " + domain + " failed: " + cause.word())
            .domain(domain).dnsFailure(cause).elapsed(Duration.ofMillis(3)).build();
    }

    private static Verdict acceptingAll(Verdict v, boolean accepts) {
        return v.toBuilder().acceptAll(Fact.of(accepts, "cbv-x@d.test answered")).build();
    }

    private static Verdict cached(Verdict v) {
        return v.toBuilder().cached(true).build();
    }

    private static Verdict refreshing(Verdict v) {
        return v.toBuilder().cached(true).refreshing(true).build();
    }
}
