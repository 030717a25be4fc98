package io.github.jamescbv.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.policy.Admission;
import io.github.jamescbv.policy.Admissions;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.ProcessCapacity;
import io.github.jamescbv.policy.Protections;
import io.github.jamescbv.testing.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The in-memory budgets and the process capacity together, as {@link Admissions} puts them: the
 * limits a single process has always had, one request at a time.
 */
class InMemoryLimitsTest {
    private static final Duration LONG = Duration.ofMinutes(10);

    private final ManualClock clock = new ManualClock();
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final List<Limits> made = new ArrayList<>();

    @AfterEach
    void closeAll() {
        made.forEach(Limits::close);
    }

    /** maxConcurrent, maxQueued, perDomainConcurrent, perDomainRate, perClientRate */
    private Limits limits(int maxConcurrent, int maxQueued, int perDomainConcurrent, int perDomainRate,
            int perClientRate) {
        LimitSettings s = new LimitSettings(maxConcurrent, maxQueued, perDomainConcurrent, perDomainRate, perClientRate);
        Limits l = new Limits(new InMemoryBudgets(s, clock, clock,
            new ClientRateLimiter(perClientRate, clock, ClientRateLimiter.DEFAULT_MAX_CLIENTS, logged::add)),
            new ProcessCapacity(s, clock, clock), List.of());
        made.add(l);
        return l;
    }

    private CompletableFuture<Admission> admit(Limits l, String domain, Duration wait) {
        return l.admit(domain, clock.in(wait)).toCompletableFuture();
    }

    private static Admission done(CompletableFuture<Admission> f) {
        assertThat(f).isDone();
        return f.join();
    }

    private static void assertGranted(CompletableFuture<Admission> f) {
        Admission a = done(f);
        assertThat(a.granted()).as(a.reason()).isTrue();
        assertThat(a.reason()).isEmpty();
    }

    private static void assertRefused(CompletableFuture<Admission> f, String reason) {
        Admission a = done(f);
        assertThat(a.granted()).isFalse();
        assertThat(a.reason()).isEqualTo(reason);
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    // --- process-wide slots and their line

    @Test
    void grantsAtOnceWhenNothingIsBusy() {
        Limits l = limits(2, 2, 2, 30, 20);
        CompletableFuture<Admission> a = admit(l, "example.com", LONG);
        assertGranted(a);
        assertThat(l.inFlight()).isEqualTo(1);
        assertThat(l.queued()).isZero();
        a.join().release();
        assertThat(l.inFlight()).isZero();
    }

    @Test
    void beyondMaxConcurrentRequestsQueueAndAreServedInArrivalOrder() {
        Limits l = limits(2, 5, 2, 30, 20);
        CompletableFuture<Admission> a = admit(l, "a.example", LONG);
        CompletableFuture<Admission> b = admit(l, "b.example", LONG);
        CompletableFuture<Admission> c = admit(l, "c.example", LONG);
        CompletableFuture<Admission> d = admit(l, "d.example", LONG);
        CompletableFuture<Admission> e = admit(l, "e.example", LONG);
        assertGranted(a);
        assertGranted(b);
        assertThat(List.of(c, d, e)).noneMatch(CompletableFuture::isDone);
        assertThat(l.inFlight()).isEqualTo(2);
        assertThat(l.queued()).isEqualTo(3);
        assertThat(l.queuedForCapacity()).isEqualTo(3);

        b.join().release();
        assertGranted(c);
        assertThat(List.of(d, e)).noneMatch(CompletableFuture::isDone);
        a.join().release();
        assertGranted(d);
        assertThat(e).isNotDone();
        d.join().release();
        assertGranted(e);
        assertThat(l.inFlight()).isEqualTo(2);
        assertThat(l.queued()).isZero();
    }

    @Test
    void aFullLineRefusesAtOnce() {
        Limits l = limits(1, 1, 2, 30, 20);
        CompletableFuture<Admission> a = admit(l, "a.example", LONG);
        CompletableFuture<Admission> b = admit(l, "b.example", LONG);
        CompletableFuture<Admission> c = admit(l, "c.example", LONG);
        assertGranted(a);
        assertThat(b).isNotDone();
        assertRefused(c, "verification capacity exceeded");
        assertThat(l.queued()).isEqualTo(1);
        // the refusal took nothing: once the line moves there is room again
        a.join().release();
        assertGranted(b);
        assertThat(admit(l, "c.example", LONG)).isNotDone();
    }

    @Test
    void withNoLineEveryRequestBeyondMaxConcurrentIsRefusedAtOnce() {
        Limits l = limits(1, 0, 2, 30, 20);
        assertGranted(admit(l, "a.example", LONG));
        assertRefused(admit(l, "b.example", LONG), "verification capacity exceeded");
        assertRefused(admit(l, "a.example", LONG), "verification capacity exceeded");
    }

    @Test
    void waitingForAProcessWideSlotEndsAtTheDeadlineAndGivesTheDomainSlotBack() {
        Limits l = limits(1, 5, 1, 30, 20);
        CompletableFuture<Admission> a = admit(l, "a.example", LONG);
        CompletableFuture<Admission> b = admit(l, "b.example", Duration.ofSeconds(30));
        assertGranted(a);
        clock.advance(Duration.ofSeconds(29));
        assertThat(b).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertRefused(b, "verification capacity exceeded (no free slot before the deadline)");
        assertThat(l.queued()).isZero();
        // b.example's one slot came back with it: the next request for it waits only for capacity
        CompletableFuture<Admission> b2 = admit(l, "b.example", LONG);
        a.join().release();
        assertGranted(b2);
    }

    // --- per-domain slots

    @Test
    void aThirdConcurrentRequestToOneDomainWaitsWhileOtherDomainsGoOn() {
        Limits l = limits(10, 10, 2, 30, 20);
        CompletableFuture<Admission> a1 = admit(l, "example.com", LONG);
        CompletableFuture<Admission> a2 = admit(l, "Example.COM", LONG);
        CompletableFuture<Admission> a3 = admit(l, "example.com.", LONG);
        CompletableFuture<Admission> other = admit(l, "example.net", LONG);
        assertGranted(a1);
        assertGranted(a2);
        assertThat(a3).isNotDone();
        assertGranted(other);
        assertThat(l.inFlight()).isEqualTo(3);
        assertThat(l.queued()).isEqualTo(1);
        assertThat(l.queuedForCapacity()).isZero();

        a2.join().release();
        assertGranted(a3);
    }

    @Test
    void aRequestWaitingForItsDomainHoldsNoProcessWideSlot() {
        Limits l = limits(2, 10, 1, 30, 20);
        CompletableFuture<Admission> hot1 = admit(l, "hot.example", LONG);
        CompletableFuture<Admission> hot2 = admit(l, "hot.example", LONG);
        CompletableFuture<Admission> hot3 = admit(l, "hot.example", LONG);
        CompletableFuture<Admission> cold = admit(l, "cold.example", LONG);
        assertGranted(hot1);
        assertThat(hot2).isNotDone();
        assertThat(hot3).isNotDone();
        assertGranted(cold); // the second process-wide slot was free for it
        assertThat(l.inFlight()).isEqualTo(2);
    }

    @Test
    void waitingForADomainSlotEndsAtTheDeadlineWithTheReason() {
        Limits l = limits(10, 10, 2, 30, 20);
        assertGranted(admit(l, "example.com", LONG));
        assertGranted(admit(l, "example.com", LONG));
        CompletableFuture<Admission> third = admit(l, "example.com", Duration.ofSeconds(20));
        clock.advance(Duration.ofSeconds(19));
        assertThat(third).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertRefused(third, "domain example.com: 2 callbacks already in flight");
        assertThat(l.queued()).isZero();
    }

    @Test
    void aBusyDomainRefusesAtOnceWhenTheDeadlineHasPassed() {
        Limits l = limits(10, 10, 1, 30, 20);
        assertGranted(admit(l, "example.com", LONG));
        assertRefused(l.admit("example.com", clock.nanoTime()).toCompletableFuture(),
            "domain example.com: 1 callback already in flight");
    }

    @Test
    void oneHotDomainCannotQueueMoreThanMaxQueued() {
        Limits l = limits(10, 3, 2, 30, 20);
        assertGranted(admit(l, "hot.example", LONG));
        assertGranted(admit(l, "hot.example", LONG));
        List<CompletableFuture<Admission>> waiting = List.of(admit(l, "hot.example", LONG),
            admit(l, "hot.example", LONG), admit(l, "hot.example", LONG));
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        assertRefused(admit(l, "hot.example", LONG),
            "domain hot.example: 2 callbacks already in flight (too many requests waiting)");
        assertGranted(admit(l, "cold.example", LONG));
    }

    @Test
    void allDomainLinesTogetherAreBounded() {
        int maxQueued = 2;
        Limits l = limits(1000, maxQueued, 1, 30, 20);
        int domains = InMemoryBudgets.DOMAIN_WAITERS_PER_QUEUE_SLOT * maxQueued;
        for (int i = 0; i < domains; i++) {
            assertGranted(admit(l, "d" + i + ".example", LONG));
            assertThat(admit(l, "d" + i + ".example", LONG)).isNotDone();
        }
        assertThat(l.queued()).isEqualTo(domains);
        assertGranted(admit(l, "fresh.example", LONG));
        assertRefused(admit(l, "fresh.example", LONG),
            "domain fresh.example: 1 callback already in flight (too many requests waiting)");
    }

    // --- per-domain rate

    @Test
    void theThirtyFirstStartInAMinuteWaitsUntilTheFirstLeavesTheWindow() {
        Limits l = limits(100, 100, 100, 30, 1000);
        for (int i = 0; i < 30; i++) {
            CompletableFuture<Admission> a = admit(l, "example.com", LONG);
            assertGranted(a);
            a.join().release(); // the rate counts starts, not callbacks in flight
        }
        CompletableFuture<Admission> thirtyFirst = admit(l, "example.com", LONG);
        assertThat(thirtyFirst).isNotDone();
        assertGranted(admit(l, "example.net", LONG));
        clock.advance(Duration.ofSeconds(59));
        assertThat(thirtyFirst).isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertGranted(thirtyFirst);
    }

    @Test
    void theWindowSlidesWithTheStartTimes() {
        Limits l = limits(100, 100, 100, 30, 1000);
        for (int i = 0; i < 10; i++) {
            admit(l, "example.com", LONG).join().release();
        }
        clock.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 20; i++) {
            admit(l, "example.com", LONG).join().release();
        }
        clock.advance(Duration.ofSeconds(30)); // the first ten leave the window
        for (int i = 0; i < 10; i++) {
            assertGranted(admit(l, "example.com", LONG));
        }
        CompletableFuture<Admission> next = admit(l, "example.com", LONG);
        assertThat(next).isNotDone();
        clock.advance(Duration.ofSeconds(29));
        assertThat(next).isNotDone();
        clock.advance(Duration.ofSeconds(1)); // the twenty of second 30 leave
        assertGranted(next);
    }

    @Test
    void waitingForTheRateEndsAtTheDeadlineWithTheReason() {
        Limits l = limits(100, 100, 100, 30, 1000);
        for (int i = 0; i < 30; i++) {
            admit(l, "example.com", LONG).join().release();
        }
        CompletableFuture<Admission> late = admit(l, "example.com", Duration.ofSeconds(45));
        clock.advance(Duration.ofSeconds(45));
        assertRefused(late, "domain example.com: rate of 30 per minute reached");
    }

    @Test
    void aStartIsCountedWhenItStartsNotWhenItQueued() {
        // rate 2 per minute; one process-wide slot
        Limits l = limits(1, 10, 5, 2, 1000);
        CompletableFuture<Admission> a = admit(l, "x.example", LONG);
        CompletableFuture<Admission> b = admit(l, "y.example", LONG); // y's token reserved now, at 0 s
        assertGranted(a);
        clock.advance(Duration.ofSeconds(50));
        a.join().release();
        assertGranted(b); // y's first start: 50 s
        CompletableFuture<Admission> b2 = admit(l, "y.example", LONG);
        b.join().release();
        assertGranted(b2); // second start at 50 s
        b2.join().release();
        CompletableFuture<Admission> b3 = admit(l, "y.example", LONG);
        clock.advance(Duration.ofSeconds(59));
        assertThat(b3).as("two starts at 50 s still fill the window at 109 s").isNotDone();
        clock.advance(Duration.ofSeconds(1));
        assertGranted(b3);
    }

    @Test
    void aRequestRefusedForCapacityGivesItsRateTokenBack() {
        Limits l = limits(1, 1, 5, 1, 1000);
        CompletableFuture<Admission> a = admit(l, "x.example", LONG);
        CompletableFuture<Admission> y = admit(l, "y.example", Duration.ofSeconds(5)); // reserves y's only token
        clock.advance(Duration.ofSeconds(5));
        assertRefused(y, "verification capacity exceeded (no free slot before the deadline)");
        a.join().release();
        assertGranted(admit(l, "y.example", LONG)); // never started, so it never counted
    }

    // --- release

    @Test
    void releaseIsIdempotent() {
        Limits l = limits(1, 5, 1, 30, 20);
        CompletableFuture<Admission> a = admit(l, "a.example", LONG);
        CompletableFuture<Admission> b = admit(l, "b.example", LONG);
        CompletableFuture<Admission> c = admit(l, "c.example", LONG);
        a.join().release();
        a.join().release();
        a.join().release();
        assertGranted(b);
        assertThat(c).as("a second release of a must not free b's slot").isNotDone();
        assertThat(l.inFlight()).isEqualTo(1);
        b.join().release();
        assertGranted(c);
        c.join().release();
        c.join().release();
        assertThat(l.inFlight()).isZero();
    }

    @Test
    void releasingARefusalDoesNothing() {
        Limits l = limits(1, 0, 1, 30, 20);
        CompletableFuture<Admission> a = admit(l, "a.example", LONG);
        CompletableFuture<Admission> b = admit(l, "b.example", LONG);
        assertRefused(b, "verification capacity exceeded");
        b.join().release();
        assertThat(l.inFlight()).isEqualTo(1);
        assertRefused(admit(l, "c.example", LONG), "verification capacity exceeded");
        a.join().release();
    }

    @Test
    void aLongChainOfImmediateReleasesDoesNotRecurse() {
        int n = 20_000;
        Limits l = limits(1, n, 1, 1_000_000, 20);
        CompletableFuture<Admission> first = admit(l, "a.example", LONG);
        List<CompletableFuture<Admission>> chain = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CompletableFuture<Admission> f = admit(l, "d" + i + ".example", LONG);
            f.thenAccept(Admission::release); // a callback that ends the moment it starts
            chain.add(f);
        }
        first.join().release();
        assertThat(chain).allMatch(f -> f.isDone() && f.join().granted());
        assertThat(l.inFlight()).isZero();
        assertThat(l.queued()).isZero();
    }

    @Test
    void admissionsAreCompletedOutsideTheLock() throws Exception {
        Limits l = limits(1, 5, 1, 30, 20);
        CompletableFuture<Admission> a = admit(l, "a.example", LONG);
        CompletableFuture<Admission> b = admit(l, "b.example", LONG);
        // another thread reads a gauge from within b's continuation: under our lock this would never finish
        CompletableFuture<Integer> seen = b.thenApply(x -> CompletableFuture.supplyAsync(l::inFlight).orTimeout(5, TimeUnit.SECONDS).join());
        a.join().release();
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    // --- odd input, shutdown

    @Test
    void neverCompletesExceptionally() {
        Limits l = limits(1, 5, 1, 30, 20);
        assertRefused(admit(l, "", LONG), "no domain to call back");
        assertRefused(l.admit(null, clock.in(LONG)).toCompletableFuture(), "no domain to call back");
    }

    @Test
    void theStageHandedOutCannotBeCompletedByTheCaller() {
        Limits l = limits(1, 5, 1, 30, 20);
        assertGranted(admit(l, "a.example", LONG));
        CompletionStage<Admission> waiting = l.admit("b.example", clock.in(LONG));
        waiting.toCompletableFuture().cancel(true);
        assertThat(l.queued()).isEqualTo(1);
    }

    @Test
    void closeRefusesEveryoneWaitingAndEveryNewcomer() {
        Limits l = limits(1, 5, 1, 30, 20);
        CompletableFuture<Admission> a = admit(l, "a.example", LONG);
        CompletableFuture<Admission> b = admit(l, "b.example", LONG);
        CompletableFuture<Admission> a2 = admit(l, "a.example", LONG);
        l.close();
        assertRefused(b, "callback limits closed");
        assertRefused(a2, "callback limits closed");
        assertRefused(admit(l, "c.example", LONG), "callback limits closed");
        a.join().release();
        assertThat(l.inFlight()).isZero();
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void withNoLineABusyDomainRefusesAtOnceWithItsReason() {
        Limits l = limits(10, 0, 1, 30, 20);
        assertGranted(admit(l, "example.com", LONG));
        assertRefused(admit(l, "example.com", LONG), "domain example.com: 1 callback already in flight");
    }

    @Test
    void realTimeRunsOneDaemonTimerThreadThatCloseStops() {
        List<Thread> before = timerThreads(); // other tests' timers may still be on their way out
        Limits l = Limits.realTime(LimitSettings.DEFAULTS);
        CompletableFuture<Admission> a = l.admit("example.com", System.nanoTime()).toCompletableFuture();
        assertGranted(a);
        List<Thread> ours = timerThreads();
        ours.removeAll(before);
        assertThat(ours).hasSize(1).allMatch(Thread::isDaemon);
        l.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !ours.get(0).isAlive());
        a.join().release();
    }

    private static List<Thread> timerThreads() {
        List<Thread> found = new ArrayList<>();
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("cbv-limits") && t.isAlive())
            .forEach(found::add);
        return found;
    }

    @Test
    void grantedRequestsLeaveNoTimersBehind() {
        Limits l = limits(1, 5, 1, 30, 20);
        CompletableFuture<Admission> a = admit(l, "a.example", LONG);
        CompletableFuture<Admission> b = admit(l, "b.example", LONG);
        int withWaiter = clock.pendingTasks();
        a.join().release();
        assertGranted(b);
        assertThat(clock.pendingTasks()).as("b's deadline is cancelled").isEqualTo(withWaiter - 1);
    }

    // --- per client

    @Test
    void theTwentyFirstNewCallbackOfOneClientInAMinuteIsRefused() throws Exception {
        Limits l = limits(10, 10, 2, 30, 20);
        Optional<InetAddress> client = Optional.of(ip("192.0.2.7"));
        for (int i = 0; i < 20; i++) {
            assertThat(l.chargeClient(client)).as("callback %d", i + 1).isEmpty();
        }
        assertThat(l.chargeClient(client)).contains("client 192.0.2.7 exceeded 20 new callbacks per minute");
        assertThat(l.chargeClient(Optional.of(ip("192.0.2.8")))).isEmpty();
        assertThat(l.chargeClient(Optional.empty())).isEmpty();

        clock.advance(Duration.ofSeconds(3)); // one token back (one every 60 s / 20)
        assertThat(l.chargeClient(client)).isEmpty();
        assertThat(l.chargeClient(client)).isPresent();

        clock.advance(Duration.ofMinutes(1)); // the whole burst back
        for (int i = 0; i < 20; i++) {
            assertThat(l.chargeClient(client)).isEmpty();
        }
        assertThat(l.chargeClient(client)).isPresent();
    }

    @Test
    void aClientIsRefusedWithoutAnyAddressAtAll() {
        Limits l = limits(10, 10, 2, 30, 1);
        for (int i = 0; i < 100; i++) {
            assertThat(l.chargeClient(Optional.empty())).isEmpty();
        }
        assertThat(l.trackedClients()).isZero();
    }

    @Test
    void aRefusedClientIsLoggedOncePerMinute() throws Exception {
        Limits l = limits(10, 10, 2, 30, 20);
        Optional<InetAddress> client = Optional.of(ip("192.0.2.7"));
        Optional<InetAddress> other = Optional.of(ip("198.51.100.1"));
        for (int i = 0; i < 100; i++) {
            l.chargeClient(client);
            l.chargeClient(other);
        }
        assertThat(logged).containsExactlyInAnyOrder(
            "client 192.0.2.7 exceeded 20 new callbacks per minute",
            "client 198.51.100.1 exceeded 20 new callbacks per minute");

        clock.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 50; i++) {
            l.chargeClient(client);
        }
        assertThat(logged).hasSize(2);

        clock.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 50; i++) {
            l.chargeClient(client);
        }
        assertThat(logged).hasSize(3);
        assertThat(logged.get(2)).startsWith("client 192.0.2.7 exceeded 20 new callbacks per minute (")
            .endsWith(" more refused since the last such line)");
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() throws Exception {
        Limits l = limits(10, 10, 2, 30, 20);
        for (int i = 1; i <= 20; i++) {
            assertThat(l.chargeClient(Optional.of(ip("2001:db8:1:2::" + Integer.toHexString(i))))).isEmpty();
        }
        assertThat(l.chargeClient(Optional.of(ip("2001:db8:1:2:ffff::1"))))
            .contains("client 2001:db8:1:2:0:0:0:0/64 exceeded 20 new callbacks per minute");
        assertThat(l.chargeClient(Optional.of(ip("2001:db8:1:3::1")))).isEmpty();
    }

    // --- memory

    @Test
    void idleDomainStateIsDropped() {
        Limits l = limits(10, 10, 2, 30, 20);
        for (int i = 0; i < 50; i++) {
            admit(l, "d" + i + ".example", LONG).join().release();
        }
        assertThat(l.trackedDomains()).as("each remembers its start for a minute").isEqualTo(50);
        clock.advance(Duration.ofMinutes(2));
        assertThat(l.trackedDomains()).isZero();
    }

    @Test
    void aDomainWithNothingToRememberIsDroppedAtOnce() {
        Limits l = limits(1, 10, 1, 30, 20);
        CompletableFuture<Admission> a = admit(l, "a.example", LONG);
        CompletableFuture<Admission> b = admit(l, "b.example", Duration.ofSeconds(1));
        assertThat(l.trackedDomains()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(1));
        assertRefused(b, "verification capacity exceeded (no free slot before the deadline)");
        assertThat(l.trackedDomains()).as("b.example never started").isEqualTo(1);
        a.join().release();
    }

    @Test
    void idleClientStateIsDropped() throws Exception {
        Limits l = limits(10, 10, 2, 30, 20);
        for (int i = 0; i < 200; i++) {
            l.chargeClient(Optional.of(InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (i >> 8), (byte) i})));
        }
        assertThat(l.trackedClients()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(2)); // the sweep drops them, no new charge needed
        assertThat(l.trackedClients()).isZero();
    }

    // --- concurrency

    @Test
    void underConcurrentLoadNoLimitIsEverExceededAndEveryoneIsServed() throws Exception {
        int maxConcurrent = 8;
        int perDomain = 2;
        int threads = 16;
        int perThread = 2_000;
        int domainCount = 10;
        LimitSettings s = new LimitSettings(maxConcurrent, threads * perThread, perDomain, 10_000_000, 20);
        try (Limits l = Limits.realTime(s)) {
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger maxSeen = new AtomicInteger();
            ConcurrentHashMap<String, AtomicInteger> perDomainNow = new ConcurrentHashMap<>();
            AtomicInteger maxPerDomainSeen = new AtomicInteger();
            AtomicInteger granted = new AtomicInteger();
            ExecutorService callbacks = Executors.newFixedThreadPool(4);
            ExecutorService submitters = Executors.newFixedThreadPool(threads);
            List<CompletableFuture<Admission>> all = new CopyOnWriteArrayList<>();
            try {
                List<CompletableFuture<Void>> submitted = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int seed = t;
                    submitted.add(CompletableFuture.runAsync(() -> {
                        for (int i = 0; i < perThread; i++) {
                            String domain = "d" + ((seed + i) % domainCount) + ".example";
                            CompletableFuture<Admission> f = l.admit(domain, System.nanoTime() + TimeUnit.HOURS.toNanos(1))
                                .toCompletableFuture();
                            all.add(f);
                            f.thenAcceptAsync(a -> {
                                if (!a.granted()) {
                                    return;
                                }
                                granted.incrementAndGet();
                                AtomicInteger d = perDomainNow.computeIfAbsent(domain, k -> new AtomicInteger());
                                maxSeen.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                                maxPerDomainSeen.accumulateAndGet(d.incrementAndGet(), Math::max);
                                Thread.yield(); // let others try their luck meanwhile
                                d.decrementAndGet();
                                inFlight.decrementAndGet();
                                a.release();
                            }, callbacks);
                        }
                    }, submitters));
                }
                CompletableFuture.allOf(submitted.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
                CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
                assertThat(all).allMatch(f -> f.join().granted());
                callbacks.shutdown();
                assertThat(callbacks.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                callbacks.shutdownNow();
                submitters.shutdownNow();
            }
            assertThat(granted.get()).isEqualTo(threads * perThread);
            assertThat(maxSeen.get()).isBetween(1, maxConcurrent);
            assertThat(maxPerDomainSeen.get()).isBetween(1, perDomain);
            assertThat(l.inFlight()).isZero();
            assertThat(l.queued()).isZero();
        }
    }

    @Test
    void underConcurrentLoadWithDeadlinesAndTightLimitsEveryRequestEndsAndTheBooksBalance() throws Exception {
        // real time, short deadlines: some are granted, some refused, none is left hanging
        LimitSettings s = new LimitSettings(4, 50, 1, 10_000_000, 20);
        try (Limits l = Limits.realTime(s)) {
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger maxSeen = new AtomicInteger();
            ExecutorService callbacks = Executors.newFixedThreadPool(4);
            List<CompletableFuture<Admission>> all = new ArrayList<>();
            try {
                for (int i = 0; i < 5_000; i++) {
                    CompletableFuture<Admission> f = l.admit("d" + (i % 7) + ".example",
                        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(i % 3 == 0 ? 0 : 20)).toCompletableFuture();
                    all.add(f);
                    f.thenAcceptAsync(a -> {
                        if (a.granted()) {
                            maxSeen.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                            inFlight.decrementAndGet();
                            a.release();
                        }
                    }, callbacks);
                }
                CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
                callbacks.shutdown();
                assertThat(callbacks.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                callbacks.shutdownNow();
            }
            assertThat(maxSeen.get()).isLessThanOrEqualTo(4);
            assertThat(all).anyMatch(f -> f.join().granted());
            assertThat(all).allMatch(f -> f.join().granted() || !f.join().reason().isEmpty());
            assertThat(l.inFlight()).isZero();
            assertThat(l.queued()).isZero();
        }
    }

    /** The calls these tests make, on the budgets and the capacity as {@link Admissions} composes them. */
    private static final class Limits implements AutoCloseable {
        private static final Duration LEASE = Duration.ofMinutes(11);

        private final InMemoryBudgets budgets;
        private final ProcessCapacity capacity;
        private final Admissions admissions;
        private final List<AutoCloseable> owned;

        Limits(InMemoryBudgets budgets, ProcessCapacity capacity, List<AutoCloseable> owned) {
            this.budgets = budgets;
            this.capacity = capacity;
            this.admissions = new Admissions(budgets, capacity);
            this.owned = owned;
        }

        /** Real time, on the timer thread of the in-memory protections. */
        static Limits realTime(LimitSettings s) {
            Protections p = InMemoryProtections.start(CacheSettings.DEFAULTS, s);
            return new Limits((InMemoryBudgets) p.budgets(), p.capacity(), List.of(p));
        }

        CompletionStage<Admission> admit(String domain, long deadlineNanos) {
            return admissions.admit(domain, deadlineNanos, LEASE);
        }

        Optional<String> chargeClient(Optional<InetAddress> client) {
            CompletableFuture<Optional<String>> f = budgets.chargeClient(client).toCompletableFuture();
            assertThat(f).as("charged at once").isDone();
            return f.join();
        }

        int inFlight() {
            return capacity.inFlight();
        }

        int queued() {
            return capacity.queued() + budgets.waiting();
        }

        int queuedForCapacity() {
            return capacity.queued();
        }

        int trackedDomains() {
            return budgets.trackedDomains();
        }

        int trackedClients() {
            return budgets.trackedClients();
        }

        @Override
        public void close() {
            capacity.close();
            budgets.close();
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
