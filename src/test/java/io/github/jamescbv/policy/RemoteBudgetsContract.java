package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.policy.RemoteBudgets.DomainLease;
import io.github.jamescbv.testing.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RemoteBudgets} must do, whatever holds it: extend this class with
 * {@link #newBudgets} and it runs against your store. Time is {@link ManualClock}'s, which also
 * runs the budgets' timers. A store that answers later than the call (over the network) is given
 * a bounded wait ({@link #timing}).
 */
public abstract class RemoteBudgetsContract {
    protected static final Duration LONG = Duration.ofMinutes(10);
    protected static final Duration LEASE = Duration.ofMinutes(2);

    protected final ManualClock clock = new ManualClock();
    protected final List<RemoteBudgets> made = new ArrayList<>();

    /** Empty budgets on {@code clock} (its ticker and its scheduler). */
    protected abstract RemoteBudgets newBudgets(LimitSettings settings, ManualClock clock);

    /** {@link AnswerTiming#AT_ONCE} for budgets that answer in the caller's thread. */
    protected AnswerTiming timing() {
        return AnswerTiming.LATER;
    }

    @AfterEach
    void closeAll() {
        made.forEach(RemoteBudgets::close);
    }

    protected RemoteBudgets budgets(int maxQueued, int perDomainConcurrent, int perDomainRate, int perClientRate) {
        RemoteBudgets b = newBudgets(settings(maxQueued, perDomainConcurrent, perDomainRate, perClientRate), clock);
        made.add(b);
        return b;
    }

    protected static LimitSettings settings(int maxQueued, int perDomainConcurrent, int perDomainRate, int perClientRate) {
        return new LimitSettings(100, maxQueued, perDomainConcurrent, perDomainRate, perClientRate);
    }

    protected CompletableFuture<DomainLease> acquire(RemoteBudgets b, String domain, Duration wait) {
        return b.acquire(domain, clock.in(wait), LEASE).toCompletableFuture();
    }

    /** A callback of {@code probes} RCPT TOs. */
    protected CompletableFuture<DomainLease> acquire(RemoteBudgets b, String domain, int probes, Duration wait) {
        return b.acquire(domain, probes, clock.in(wait), LEASE).toCompletableFuture();
    }

    /** A callback of {@code probes} to example.com, granted at once, started and ended. */
    private void calledBack(RemoteBudgets b, int probes) {
        DomainLease l = granted(acquire(b, "example.com", probes, LONG));
        l.started();
        l.release();
    }

    protected DomainLease granted(CompletableFuture<DomainLease> f) {
        DomainLease l = timing().value(f);
        assertThat(l.granted()).as(l.reason()).isTrue();
        assertThat(l.reason()).isEmpty();
        return l;
    }

    private void refused(CompletableFuture<DomainLease> f, String reason) {
        DomainLease l = timing().value(f);
        assertThat(l.granted()).isFalse();
        assertThat(l.reason()).isEqualTo(reason);
        assertThat(l.expiresAtMillis()).isZero();
    }

    // --- slots

    @Test
    void aDomainHasItsSlotsAndTheNextWaitsInLineWhileOtherDomainsGoOn() {
        RemoteBudgets b = budgets(10, 2, 30, 20);
        DomainLease first = granted(acquire(b, "example.com", LONG));
        granted(acquire(b, "Example.COM.", LONG));
        CompletableFuture<DomainLease> third = acquire(b, "example.com", LONG);
        CompletableFuture<DomainLease> fourth = acquire(b, "example.com", LONG);
        timing().stillWaiting(third);
        timing().eventually(() -> assertThat(b.waiting()).isEqualTo(2));
        granted(acquire(b, "example.net", LONG));
        first.started();
        first.release();
        granted(third);
        timing().stillWaiting("first in, first served", fourth);
        timing().eventually(() -> assertThat(b.waiting()).isEqualTo(1));
    }

    @Test
    void waitingForASlotEndsAtTheDeadlineWithTheReason() {
        RemoteBudgets b = budgets(10, 2, 30, 20);
        granted(acquire(b, "example.com", LONG));
        granted(acquire(b, "example.com", LONG));
        CompletableFuture<DomainLease> third = acquire(b, "example.com", Duration.ofSeconds(20));
        clock.advance(Duration.ofSeconds(19));
        timing().stillWaiting(third);
        clock.advance(Duration.ofSeconds(1));
        refused(third, "domain example.com: 2 callbacks already in flight");
        timing().eventually(() -> assertThat(b.waiting()).isZero());
    }

    @Test
    void aBusyDomainRefusesAtOnceWhenTheDeadlineHasPassedOrTheLineIsFull() {
        RemoteBudgets b = budgets(1, 1, 30, 20);
        granted(acquire(b, "example.com", LONG));
        refused(b.acquire("example.com", clock.nanoTime(), LEASE).toCompletableFuture(),
            "domain example.com: 1 callback already in flight");
        timing().stillWaiting(acquire(b, "example.com", LONG));
        refused(acquire(b, "example.com", LONG), "domain example.com: 1 callback already in flight (too many requests waiting)");
    }

    @Test
    void aLeaseIsReleasedOnceAndCarriesItsExpiry() {
        RemoteBudgets b = budgets(10, 1, 30, 20);
        long now = clock.wallMillis();
        DomainLease lease = granted(acquire(b, "example.com", LONG));
        assertThat(lease.expiresAtMillis()).isEqualTo(now + LEASE.toMillis());
        CompletableFuture<DomainLease> next = acquire(b, "example.com", LONG);
        CompletableFuture<DomainLease> after = acquire(b, "example.com", LONG);
        lease.started();
        lease.release();
        lease.release();
        granted(next);
        timing().stillWaiting("a second release frees nothing", after);
    }

    // --- rate

    @Test
    void theRateCountsStartsInASlidingMinute() {
        RemoteBudgets b = budgets(100, 100, 30, 1000);
        for (int i = 0; i < 30; i++) {
            DomainLease l = granted(acquire(b, "example.com", LONG));
            l.started();
            l.release();
        }
        CompletableFuture<DomainLease> thirtyFirst = acquire(b, "example.com", LONG);
        timing().stillWaiting(thirtyFirst);
        granted(acquire(b, "example.net", LONG));
        clock.advance(Duration.ofSeconds(59));
        timing().stillWaiting(thirtyFirst);
        clock.advance(Duration.ofSeconds(1));
        granted(thirtyFirst);
    }

    @Test
    void waitingForTheRateEndsAtTheDeadlineWithTheReason() {
        RemoteBudgets b = budgets(100, 100, 30, 1000);
        for (int i = 0; i < 30; i++) {
            DomainLease l = granted(acquire(b, "example.com", LONG));
            l.started();
            l.release();
        }
        CompletableFuture<DomainLease> late = acquire(b, "example.com", Duration.ofSeconds(45));
        clock.advance(Duration.ofSeconds(45));
        refused(late, "domain example.com: rate of 30 per minute reached");
    }

    @Test
    void aLeaseThatNeverStartedGivesItsTokenBack() {
        RemoteBudgets b = budgets(10, 5, 1, 1000);
        granted(acquire(b, "example.com", LONG)).release();
        DomainLease l = granted(acquire(b, "example.com", LONG));
        l.started();
        l.release();
        timing().stillWaiting("the one start of the minute is used", acquire(b, "example.com", LONG));
    }

    @Test
    void aCallbackOfThreeProbesUsesThreeTokensOfTheMinute() {
        RemoteBudgets b = budgets(100, 100, 5, 1000);
        calledBack(b, 3);
        calledBack(b, 2);
        CompletableFuture<DomainLease> sixth = acquire(b, "example.com", 1, LONG);
        timing().stillWaiting("3 + 2 of 5 probes used", sixth);
        clock.advance(Duration.ofSeconds(60));
        granted(sixth);
    }

    @Test
    void aCallbackOfManyProbesWaitsUntilTheyAllFit() {
        RemoteBudgets b = budgets(100, 100, 4, 1000);
        calledBack(b, 1);
        clock.advance(Duration.ofSeconds(10));
        calledBack(b, 3);
        CompletableFuture<DomainLease> two = acquire(b, "example.com", 2, LONG);
        clock.advance(Duration.ofSeconds(50));
        timing().stillWaiting("one probe left the minute, two are needed", two);
        clock.advance(Duration.ofSeconds(10));
        granted(two);
    }

    @Test
    void aLeaseThatNeverStartedGivesAllItsTokensBack() {
        RemoteBudgets b = budgets(10, 5, 3, 1000);
        granted(acquire(b, "example.com", 3, LONG)).release();
        calledBack(b, 3);
        timing().stillWaiting("the three probes of the minute are used", acquire(b, "example.com", 1, LONG));
    }

    @Test
    void aCallbackOfMoreProbesThanTheRateIsRefusedAtOnce() {
        RemoteBudgets b = budgets(10, 5, 2, 1000);
        refused(acquire(b, "example.com", 3, LONG),
            "domain example.com: rate of 2 per minute is below the 3 RCPT TOs a callback may send");
        granted(acquire(b, "example.com", 2, LONG)).started();
    }

    // --- clients

    @Test
    void aClientMayCauseItsRateOfNewCallbacksAMinute() throws Exception {
        RemoteBudgets b = budgets(10, 2, 30, 20);
        Optional<InetAddress> client = Optional.of(InetAddress.getByName("192.0.2.7"));
        for (int i = 0; i < 20; i++) {
            assertThat(charge(b, client)).as("callback %d", i + 1).isEmpty();
        }
        assertThat(charge(b, client)).contains("client 192.0.2.7 exceeded 20 new callbacks per minute");
        assertThat(charge(b, Optional.of(InetAddress.getByName("192.0.2.8")))).isEmpty();
        assertThat(charge(b, Optional.empty())).isEmpty();
        clock.advance(Duration.ofSeconds(3)); // one token back (one every 60 s / 20)
        assertThat(charge(b, client)).isEmpty();
        assertThat(charge(b, client)).isPresent();
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() throws Exception {
        RemoteBudgets b = budgets(10, 2, 30, 20);
        for (int i = 1; i <= 20; i++) {
            assertThat(charge(b, Optional.of(InetAddress.getByName("2001:db8:1:2::" + Integer.toHexString(i))))).isEmpty();
        }
        assertThat(charge(b, Optional.of(InetAddress.getByName("2001:db8:1:2:ffff::1"))))
            .contains("client 2001:db8:1:2:0:0:0:0/64 exceeded 20 new callbacks per minute");
    }

    private static Optional<String> charge(RemoteBudgets b, Optional<InetAddress> client) throws Exception {
        return b.chargeClient(client).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // --- odd input, shutdown

    @Test
    void neverCompletesExceptionally() {
        RemoteBudgets b = budgets(10, 2, 30, 20);
        refused(acquire(b, "", LONG), "no domain to call back");
        refused(b.acquire(null, clock.in(LONG), LEASE).toCompletableFuture(), "no domain to call back");
    }

    @Test
    void closeRefusesEveryoneWaitingAndEveryNewcomerButLeasesMayStillBeReleased() {
        RemoteBudgets b = budgets(10, 1, 30, 20);
        DomainLease held = granted(acquire(b, "example.com", LONG));
        CompletableFuture<DomainLease> waiting = acquire(b, "example.com", LONG);
        b.close();
        refused(waiting, "callback limits closed");
        refused(acquire(b, "example.net", LONG), "callback limits closed");
        held.release();
        timing().eventually(() -> assertThat(b.waiting()).isZero());
    }

    @Test
    void theStageHandedOutCannotBeCompletedByTheCaller() {
        RemoteBudgets b = budgets(10, 1, 30, 20);
        DomainLease held = granted(acquire(b, "example.com", LONG));
        CompletionStage<DomainLease> waiting = b.acquire("example.com", clock.in(LONG), LEASE);
        waiting.toCompletableFuture().cancel(true);
        timing().eventually(() -> assertThat(b.waiting()).isEqualTo(1));
        // The cancel reached the caller's copy only: the waiter is still served, with a lease
        // it can release. Budgets that handed out their own future would grant a cancelled one:
        // a slot nobody holds and nobody gives back.
        held.release();
        DomainLease served = granted(waiting.toCompletableFuture());
        timing().eventually(() -> assertThat(b.waiting()).isZero());
        served.release();
        granted(acquire(b, "example.com", LONG));
    }
}
