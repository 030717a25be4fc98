package io.github.jamescbv.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.VerdictMemory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class InMemoryVerdictMemoryTest {
    private static final Duration PASS_TTL = Duration.ofDays(7);
    private static final Duration ERROR_TTL = Duration.ofHours(3);
    private static final Duration TRANSIENT_TTL = Duration.ofMinutes(5);
    private static final Duration MS = Duration.ofMillis(1);

    private final TestClock clock = new TestClock();
    private Cache cache = cache(100);

    // --- lifetimes -----------------------------------------------------------------------

    @Test
    void passLivesForItsTtl() {
        assertLivesFor(verdict(Result.PASS, Stage.RCPT), PASS_TTL);
    }

    @Test
    void errorLivesForItsTtl() {
        assertLivesFor(verdict(Result.ERROR, Stage.RCPT), ERROR_TTL);
    }

    @Test
    void transientLivesForItsTtl() {
        assertLivesFor(verdict(Result.TRANSIENT, Stage.RCPT), TRANSIENT_TTL);
    }

    private void assertLivesFor(Verdict v, Duration ttl) {
        cache.record("a@d.test", "d.test", v);
        clock.advance(ttl.minus(MS));
        assertThat(cache.lookup("a@d.test", "d.test")).isPresent();
        clock.advance(MS);
        assertThat(cache.lookup("a@d.test", "d.test")).isEmpty();
        assertThat(cache.size()).as("removed lazily by the lookup that found it expired").isZero();
    }

    @Test
    void defaultSettingsHaveTheIssuesLifetimes() {
        cache = new Cache(CacheSettings.DEFAULTS, clock);
        cache.record("p@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("e@d.test", "d.test", verdict(Result.ERROR, Stage.RCPT));
        cache.record("t@d.test", "d.test", verdict(Result.TRANSIENT, Stage.RCPT));
        clock.advance(Duration.ofMinutes(5).minus(MS));
        assertThat(cache.lookup("t@d.test", "d.test")).isPresent();
        clock.advance(MS);
        assertThat(cache.lookup("t@d.test", "d.test")).isEmpty();
        clock.advance(Duration.ofHours(3).minus(Duration.ofMinutes(5)));
        assertThat(cache.lookup("e@d.test", "d.test")).isEmpty();
        assertThat(cache.lookup("p@d.test", "d.test")).isPresent();
    }

    @ParameterizedTest
    @EnumSource(Result.class)
    void zeroTtlDisablesThatResultOnly(Result disabled) {
        cache = new Cache(new CacheSettings(
            disabled == Result.PASS ? Duration.ZERO : PASS_TTL,
            disabled == Result.ERROR ? Duration.ZERO : ERROR_TTL,
            disabled == Result.TRANSIENT ? Duration.ZERO : TRANSIENT_TTL, 100), clock);
        for (Result r : Result.values()) {
            cache.record(r.word() + "@d.test", "d.test", verdict(r, Stage.RCPT));
        }
        for (Result r : Result.values()) {
            assertThat(cache.lookup(r.word() + "@d.test", "d.test")).as(r.word()).isEqualTo(
                r == disabled ? Optional.empty() : Optional.of(cached(verdict(r, Stage.RCPT))));
        }
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void aDefiniteAnswerWithZeroTtlStillDropsWhatItContradicts() {
        cache = new Cache(new CacheSettings(PASS_TTL, Duration.ZERO, TRANSIENT_TTL, 100), clock);
        cache.record("a@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("a@d.test", "d.test", verdict(Result.ERROR, Stage.RCPT));
        assertThat(cache.lookup("a@d.test", "d.test")).isEmpty();
    }

    @Test
    void subMillisecondTtlStillCaches() {
        cache = new Cache(new CacheSettings(Duration.ofNanos(1), ERROR_TTL, TRANSIENT_TTL, 100), clock);
        cache.record("a@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        assertThat(cache.lookup("a@d.test", "d.test")).isPresent();
        clock.advance(MS);
        assertThat(cache.lookup("a@d.test", "d.test")).isEmpty();
    }

    @Test
    void hugeTtlDoesNotOverflowIntoThePast() {
        cache = new Cache(new CacheSettings(Duration.ofSeconds(Long.MAX_VALUE), ERROR_TTL, TRANSIENT_TTL, 100), clock);
        cache.record("a@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        clock.advance(Duration.ofDays(365 * 1000));
        assertThat(cache.lookup("a@d.test", "d.test")).isPresent();
    }

    @Test
    void maxEntriesZeroDisablesTheCache() {
        cache = cache(0);
        cache.record("a@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("b@d.test", "d.test", verdict(Result.ERROR, Stage.MAIL));
        assertThat(cache.lookup("a@d.test", "d.test")).isEmpty();
        assertThat(cache.lookup("b@d.test", "d.test")).isEmpty();
        assertThat(cache.size()).isZero();
    }

    // --- replacement ---------------------------------------------------------------------

    @Test
    void transientNeverReplacesAValidPass() {
        Verdict pass = verdict(Result.PASS, Stage.RCPT);
        cache.record("a@d.test", "d.test", pass);
        cache.record("a@d.test", "d.test", verdict(Result.TRANSIENT, Stage.RCPT));
        assertThat(cache.lookup("a@d.test", "d.test")).contains(cached(pass));
    }

    @Test
    void transientReplacesAPassOnceItExpired() {
        cache.record("a@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        clock.advance(PASS_TTL);
        Verdict greylisted = verdict(Result.TRANSIENT, Stage.RCPT);
        cache.record("a@d.test", "d.test", greylisted);
        assertThat(cache.lookup("a@d.test", "d.test")).contains(cached(greylisted));
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void errorReplacesAPass() {
        cache.record("a@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        Verdict error = verdict(Result.ERROR, Stage.RCPT);
        cache.record("a@d.test", "d.test", error);
        assertThat(cache.lookup("a@d.test", "d.test")).contains(cached(error));
        clock.advance(ERROR_TTL);
        assertThat(cache.lookup("a@d.test", "d.test")).as("with the error's lifetime").isEmpty();
    }

    @Test
    void passReplacesAnything() {
        for (Result before : List.of(Result.ERROR, Result.TRANSIENT, Result.PASS)) {
            cache.record("a@d.test", "d.test", verdict(before, Stage.RCPT));
            Verdict pass = verdict(Result.PASS, Stage.RCPT).toBuilder().text("fresh after " + before.word()).build();
            cache.record("a@d.test", "d.test", pass);
            assertThat(cache.lookup("a@d.test", "d.test")).contains(cached(pass));
        }
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void transientReplacesAnErrorOrTransient() {
        cache.record("a@d.test", "d.test", verdict(Result.ERROR, Stage.RCPT));
        Verdict t = verdict(Result.TRANSIENT, Stage.RCPT);
        cache.record("a@d.test", "d.test", t);
        assertThat(cache.lookup("a@d.test", "d.test")).contains(cached(t));
    }

    @Test
    void aTransientAtDomainLevelDoesNotReplaceADomainPass() {
        Verdict domainPass = verdict(Result.PASS, Stage.MAIL);
        cache.record("a@d.test", "d.test", domainPass);
        cache.record("b@d.test", "d.test", verdict(Result.TRANSIENT, Stage.CONNECT));
        assertThat(cache.lookup("c@d.test", "d.test")).contains(cached(domainPass));
    }

    // --- keys ----------------------------------------------------------------------------

    @Test
    void mailStageErrorAnswersForTheWholeDomain() {
        Verdict refused = verdict(Result.ERROR, Stage.MAIL).toBuilder().code(550).text("sender refused").build();
        cache.record("a@d.test", "d.test", refused);
        assertThat(cache.lookup("b@d.test", "d.test")).contains(cached(refused));
        assertThat(cache.lookup("b@other.test", "other.test")).isEmpty();
    }

    @Test
    void rcptStageErrorAnswersForThatAddressOnly() {
        cache.record("a@d.test", "d.test", verdict(Result.ERROR, Stage.RCPT));
        assertThat(cache.lookup("a@d.test", "d.test")).isPresent();
        assertThat(cache.lookup("b@d.test", "d.test")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Stage.class, names = {"DNS", "CONNECT", "GREETING", "HELO", "MAIL", "POLICY"})
    void stagesBeforeRcptAreDomainLevel(Stage stage) {
        cache.record("a@d.test", "d.test", verdict(Result.ERROR, stage));
        assertThat(cache.lookup("anyone@d.test", "d.test")).map(Verdict::stage).contains(stage);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void unreachableMxHostsAnswerForTheDomainForTheTransientTtl() {
        cache.record("a@d.test", "d.test", verdict(Result.TRANSIENT, Stage.CONNECT));
        clock.advance(TRANSIENT_TTL.minus(MS));
        assertThat(cache.lookup("b@d.test", "d.test")).isPresent();
        clock.advance(MS);
        assertThat(cache.lookup("b@d.test", "d.test")).isEmpty();
    }

    @Test
    void theAddressEntryIsAskedBeforeTheDomainEntry() {
        Verdict pass = verdict(Result.PASS, Stage.RCPT);
        cache.record("a@d.test", "d.test", pass);
        cache.record("b@d.test", "d.test", verdict(Result.TRANSIENT, Stage.CONNECT));
        assertThat(cache.lookup("a@d.test", "d.test")).contains(cached(pass));
        assertThat(cache.lookup("b@d.test", "d.test")).map(Verdict::stage).contains(Stage.CONNECT);
        assertThat(cache.size()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Result.class)
    void internalIsNeverCached(Result result) {
        cache.record("a@d.test", "d.test", verdict(result, Stage.INTERNAL));
        assertThat(cache.lookup("a@d.test", "d.test")).isEmpty();
        assertThat(cache.size()).isZero();
    }

    @Test
    void keysAreComparedExactlySoTheLocalPartIsCaseSensitive() {
        // Callers pass EmailAddress.toString() and domain(): the domain is already lower case.
        cache.record("Alice@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        assertThat(cache.lookup("Alice@d.test", "d.test")).isPresent();
        assertThat(cache.lookup("alice@d.test", "d.test")).isEmpty();
    }

    // --- the cached flag -----------------------------------------------------------------

    @Test
    void hitsAreMarkedCachedAndTheInputIsNot() {
        Verdict v = verdict(Result.PASS, Stage.RCPT);
        cache.record("a@d.test", "d.test", v);
        Verdict hit = cache.lookup("a@d.test", "d.test").orElseThrow();
        assertThat(hit.cached()).isTrue();
        assertThat(v.cached()).isFalse();
        assertThat(hit.toBuilder().cached(false).build()).isEqualTo(v);
        assertThat(cache.lookup("a@d.test", "d.test").orElseThrow()).as("every hit the same answer").isEqualTo(hit);
    }

    @Test
    void aHitFedBackDoesNotExtendItsLife() {
        cache.record("a@d.test", "d.test", verdict(Result.TRANSIENT, Stage.RCPT));
        clock.advance(TRANSIENT_TTL.minus(MS));
        cache.record("a@d.test", "d.test", cache.lookup("a@d.test", "d.test").orElseThrow());
        clock.advance(MS);
        assertThat(cache.lookup("a@d.test", "d.test")).isEmpty();
    }

    // --- bound and eviction --------------------------------------------------------------

    @Test
    void sizeStaysBoundedAndTheNewestStay() {
        int max = 50;
        cache = cache(max);
        int total = max + 30;
        for (int i = 0; i < total; i++) {
            cache.record("u" + i + "@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
            assertThat(cache.size()).isLessThanOrEqualTo(max);
        }
        assertThat(cache.size()).isEqualTo(max);
        for (int i = total - max; i < total; i++) {
            assertThat(cache.lookup("u" + i + "@d.test", "d.test")).as("u" + i).isPresent();
        }
        for (int i = 0; i < total - max; i++) {
            assertThat(cache.lookup("u" + i + "@d.test", "d.test")).as("u" + i).isEmpty();
        }
        assertThat(cache.consistent()).isTrue();
    }

    @Test
    void domainsCountTowardsTheBound() {
        cache = cache(3);
        cache.record("a@one.test", "one.test", verdict(Result.ERROR, Stage.DNS));
        cache.record("a@two.test", "two.test", verdict(Result.ERROR, Stage.MAIL));
        cache.record("a@three.test", "three.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("b@three.test", "three.test", verdict(Result.PASS, Stage.RCPT));
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.lookup("z@one.test", "one.test")).as("oldest evicted").isEmpty();
        assertThat(cache.lookup("z@two.test", "two.test")).isPresent();
        assertThat(cache.consistent()).isTrue();
    }

    @Test
    void replacingAKeyDoesNotEvict() {
        cache = cache(2);
        cache.record("a@d.test", "d.test", verdict(Result.TRANSIENT, Stage.RCPT));
        cache.record("b@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("a@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        assertThat(cache.lookup("a@d.test", "d.test")).isPresent();
        assertThat(cache.lookup("b@d.test", "d.test")).isPresent();
    }

    @Test
    void anEntryHitSinceItWasRecordedGetsASecondChance() {
        cache = cache(3);
        cache.record("old@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("b@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("c@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        assertThat(cache.lookup("old@d.test", "d.test")).isPresent();
        cache.record("new@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        assertThat(cache.lookup("old@d.test", "d.test")).isPresent();
        assertThat(cache.lookup("b@d.test", "d.test")).as("the oldest not hit").isEmpty();
        assertThat(cache.consistent()).isTrue();
    }

    @Test
    void expiredEntriesAreEvictedBeforeValidOnes() {
        cache = cache(4);
        cache.record("p1@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("p2@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("t1@d.test", "d.test", verdict(Result.TRANSIENT, Stage.RCPT));
        cache.record("t2@d.test", "d.test", verdict(Result.TRANSIENT, Stage.RCPT));
        clock.advance(TRANSIENT_TTL);
        cache.record("n1@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        cache.record("n2@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        assertThat(cache.size()).isEqualTo(4);
        for (String a : List.of("p1", "p2", "n1", "n2")) {
            assertThat(cache.lookup(a + "@d.test", "d.test")).as(a).isPresent();
        }
        assertThat(cache.consistent()).isTrue();
    }

    @Test
    void concurrentRecordsAndLookupsKeepTheBound() throws Exception {
        int max = 500;
        AtomicLong millis = new AtomicLong();
        cache = new Cache(new CacheSettings(PASS_TTL, ERROR_TTL, Duration.ofMillis(50), max),
            new TestClock(millis));
        int threads = 4;
        int rounds = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger hits = new AtomicInteger();
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                workers.add(pool.submit(() -> {
                    start.await();
                    SplittableRandom random = new SplittableRandom(seed);
                    Result[] results = Result.values();
                    Stage[] stages = {Stage.RCPT, Stage.RCPT, Stage.RCPT, Stage.MAIL, Stage.CONNECT, Stage.INTERNAL};
                    for (int i = 0; i < rounds; i++) {
                        String domain = "d" + random.nextInt(100) + ".test";
                        String address = "u" + random.nextInt(2_000) + "@" + domain;
                        if (random.nextInt(4) == 0) {
                            cache.record(address, domain, verdict(results[random.nextInt(3)], stages[random.nextInt(stages.length)]));
                        } else if (cache.lookup(address, domain).isPresent()) {
                            hits.incrementAndGet();
                        }
                        if (i % 100 == 0) {
                            millis.addAndGet(1);
                        }
                    }
                    return null;
                }));
            }
            Future<Integer> watcher = pool.submit(() -> {
                int largest = 0;
                while (!done.get()) {
                    largest = Math.max(largest, cache.size());
                }
                return largest;
            });
            start.countDown();
            for (Future<?> w : workers) {
                w.get(1, TimeUnit.MINUTES);
            }
            done.set(true);
            assertThat(watcher.get(1, TimeUnit.MINUTES)).isLessThanOrEqualTo(max);
            assertThat(cache.size()).isLessThanOrEqualTo(max);
            assertThat(hits.get()).isPositive();
            assertThat(cache.consistent()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    // --- the accept-all domain fact ------------------------------------------------------

    private static Verdict acceptingAll(Fact fact) {
        return verdict(Result.PASS, Stage.RCPT).toBuilder().acceptAll(fact).build();
    }

    @Test
    void aPassThatFoundTheDomainAcceptingAllRemembersItForPassTtl() {
        cache.record("a@d.test", "d.test", acceptingAll(Fact.of(true, "cbv-x@d.test answered 250 Ok")));

        assertThat(cache.domainFacts("d.test").acceptsAll()).isTrue();
        assertThat(cache.domainFacts("other.test").acceptsAll()).isFalse();
        assertThat(cache.lookup("b@d.test", "d.test")).as("a fact is no verdict about another address").isEmpty();
        assertThat(cache.lookup("a@d.test", "d.test")).get().extracting(Verdict::acceptsAll).isEqualTo(true);
        assertThat(cache.size()).isEqualTo(2);
        clock.advance(PASS_TTL.minus(MS));
        assertThat(cache.domainFacts("d.test").acceptsAll()).isTrue();
        clock.advance(MS);
        assertThat(cache.domainFacts("d.test").acceptsAll()).isFalse();
    }

    @Test
    void aRememberedFactDoesNotRenewItself() {
        cache.record("a@d.test", "d.test", acceptingAll(Fact.of(true, "asked")));
        clock.advance(PASS_TTL.minus(MS));
        cache.record("b@d.test", "d.test", acceptingAll(Fact.remembered(true, "carried over")));
        clock.advance(MS);
        assertThat(cache.domainFacts("d.test").acceptsAll()).isFalse();
    }

    @Test
    void aFreshAskingRenewsTheFact() {
        cache.record("a@d.test", "d.test", acceptingAll(Fact.of(true, "asked")));
        clock.advance(PASS_TTL.minus(MS));
        cache.record("b@d.test", "d.test", acceptingAll(Fact.of(true, "asked again")));
        clock.advance(MS);
        assertThat(cache.domainFacts("d.test").acceptsAll()).isTrue();
    }

    @Test
    void aDomainFoundRejectingARandomAddressIsForgotten() {
        cache.record("a@d.test", "d.test", acceptingAll(Fact.of(true, "asked")));
        cache.record("b@d.test", "d.test", acceptingAll(Fact.of(false, "cbv-y@d.test answered 550 no")));
        assertThat(cache.domainFacts("d.test").acceptsAll()).isFalse();
    }

    @Test
    void anUnknownAnswerOrNoCheckChangesNothing() {
        cache.record("a@d.test", "d.test", acceptingAll(Fact.of(true, "asked")));
        cache.record("b@d.test", "d.test", acceptingAll(Fact.unknown("no reply within 30s")));
        cache.record("c@d.test", "d.test", verdict(Result.PASS, Stage.RCPT));
        assertThat(cache.domainFacts("d.test").acceptsAll()).isTrue();
        cache.record("x@e.test", "e.test", verdict(Result.PASS, Stage.RCPT));
        assertThat(cache.domainFacts("e.test").acceptsAll()).isFalse();
    }

    @Test
    void noFactWhenPassesAreNotCachedOrTheCacheIsOff() {
        cache = new Cache(new CacheSettings(Duration.ZERO, ERROR_TTL, TRANSIENT_TTL, 100), clock);
        cache.record("a@d.test", "d.test", acceptingAll(Fact.of(true, "asked")));
        assertThat(cache.domainFacts("d.test").acceptsAll()).isFalse();
        cache = cache(0);
        cache.record("a@d.test", "d.test", acceptingAll(Fact.of(true, "asked")));
        assertThat(cache.domainFacts("d.test").acceptsAll()).isFalse();
    }

    @Test
    void factsCountTowardsTheBound() {
        cache = cache(3);
        for (int i = 0; i < 10; i++) {
            cache.record("a@d" + i + ".test", "d" + i + ".test", acceptingAll(Fact.of(true, "asked")));
            assertThat(cache.size()).isLessThanOrEqualTo(3);
        }
        assertThat(cache.domainFacts("d9.test").acceptsAll()).isTrue();
        assertThat(cache.consistent()).isTrue();
    }

    // --- helpers -------------------------------------------------------------------------

    private Cache cache(int maxEntries) {
        return new Cache(new CacheSettings(PASS_TTL, ERROR_TTL, TRANSIENT_TTL, maxEntries), clock);
    }

    private static Verdict verdict(Result result, Stage stage) {
        return Verdict.builder(result, stage).code(result == Result.PASS ? 250 : result == Result.ERROR ? 550 : 450)
            .text(result.word() + " at " + stage.word()).mxHost("mx.d.test").ip("192.0.2.25").domain("d.test")
            .elapsed(Duration.ofMillis(12)).build();
    }

    private static Verdict cached(Verdict v) {
        return v.toBuilder().cached(true).build();
    }

    /** A clock the test moves by hand: expiry is tested at the millisecond, without sleeping. */
    private static final class TestClock implements Ticker {
        private final AtomicLong millis;

        TestClock() {
            this(new AtomicLong(1_700_000_000_000L));
        }

        TestClock(AtomicLong millis) {
            this.millis = millis;
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public long wallMillis() {
            return millis.get();
        }

        @Override
        public long nanoTime() {
            throw new UnsupportedOperationException("not needed by the memory");
        }
    }

    /** The memory as these tests knew it before it was asynchronous: in memory its stages are completed at once. */
    private static final class Cache {
        private final InMemoryVerdictMemory memory;

        Cache(CacheSettings settings, Ticker clock) {
            this.memory = new InMemoryVerdictMemory(settings, clock);
        }

        Optional<Verdict> lookup(String address, String domain) {
            return VerdictMemory.answer(done(memory.recall(address, domain)));
        }

        void record(String address, String domain, Verdict verdict) {
            done(memory.remember(address, domain, verdict));
        }

        DomainFacts domainFacts(String domain) {
            return done(memory.domainFacts(domain));
        }

        int size() {
            return memory.heldNow();
        }

        boolean consistent() {
            return memory.consistent();
        }

        private static <T> T done(CompletionStage<T> stage) {
            CompletableFuture<T> f = stage.toCompletableFuture();
            assertThat(f).as("completed at once").isDone();
            return f.join();
        }
    }

    @Test
    void aHitGivesBackEveryFieldOfTheRecordedVerdict() {
        Verdict full = Verdict.builder(Result.PASS, Stage.RCPT).code(250).enhancedCode("2.1.5").text("<a@d.test> ok")
            .mxHost("mx.d.test").ip("2001:db8::25").domain("d.test").elapsed(Duration.ofSeconds(1, 234_000_567))
            .acceptAll(Fact.of(false, "550 no such user")).postmasterRejected(Fact.unknown("timed out")).build();
        cache.record("a@d.test", "d.test", full);
        assertThat(cache.lookup("a@d.test", "d.test").orElseThrow())
            .isEqualTo(full.toBuilder().cached(true).build());
    }

    @Test
    void aDomainVerdictWhoseDomainIsNotTheKeysKeepsItsOwn() {
        // Not expected from the callers (the verdict's domain is the one called back), but kept exactly.
        Verdict odd = Verdict.builder(Result.ERROR, Stage.MAIL).code(550).domain("other.test").text("go away").build();
        cache.record("a@d.test", "d.test", odd);
        assertThat(cache.lookup("b@d.test", "d.test").orElseThrow().domain()).isEqualTo("other.test");
    }
}
