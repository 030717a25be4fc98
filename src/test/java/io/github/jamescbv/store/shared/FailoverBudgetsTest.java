package io.github.jamescbv.store.shared;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.ForwardingBudgets;
import io.github.jamescbv.policy.RemoteBudgets;
import io.github.jamescbv.policy.RemoteBudgets.DomainLease;
import io.github.jamescbv.store.memory.InMemoryBudgets;
import io.github.jamescbv.testing.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailoverBudgetsTest {
    private static final Duration BOUND = Duration.ofMillis(500);
    private static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final LimitSettings LIMITS = new LimitSettings(100, 10, 1, 30, 20);

    enum Mode { ANSWERS, FAILS, STALLS }

    private final ManualClock clock = new ManualClock();
    private final Faulty shared = new Faulty(new InMemoryBudgets(LIMITS, clock, clock));
    private final CapturedLog log = new CapturedLog(FailoverBudgets.class);
    private final FailoverBudgets budgets = new FailoverBudgets(shared, new InMemoryBudgets(LIMITS, clock, clock), clock, clock,
        new FailoverBounds(BOUND, PROBE_EVERY, Duration.ofSeconds(90)));

    @AfterEach
    void closeLog() {
        log.close();
    }

    @Test
    void failingBudgetsAreAnsweredByThisNodesLimitsWithOneWarn() throws Exception {
        shared.mode = Mode.FAILS;
        assertThat(charge()).isCompletedWithValue(Optional.empty());
        DomainLease lease = acquire(Duration.ofMinutes(1)).join();
        assertThat(lease.granted()).isTrue();
        assertThat(acquire(Duration.ZERO).join().reason()).as("this node's limit holds")
            .isEqualTo("domain example.com: 1 callback already in flight");
        assertThat(log.at(Level.WARN)).containsExactly(
            "shared callback limits unavailable, using this node's limits: IllegalStateException: READONLY");
        assertThat(budgets.health().fallbacks()).isEqualTo(1);
        assertThat(budgets.health().shared()).isFalse();
    }

    @Test
    void aStalledSlotRequestMovesHereWhenAnyCallFindsTheBudgetsDown() throws Exception {
        shared.mode = Mode.STALLS;
        CompletableFuture<DomainLease> waiting = acquire(Duration.ofMinutes(1));
        CompletableFuture<Optional<String>> charged = charge();
        assertThat(waiting).isNotDone();
        clock.advance(BOUND);
        assertThat(charged).isCompletedWithValue(Optional.empty());
        assertThat(waiting).isCompletedWithValueMatching(DomainLease::granted);
        assertThat(budgets.health().fallbacks()).isEqualTo(1);
    }

    @Test
    void aSlotRequestAloneOnStalledBudgetsEndsOnceItsDeadlineAndTheBoundHavePassed() {
        shared.mode = Mode.STALLS;
        CompletableFuture<DomainLease> waiting = acquire(Duration.ofSeconds(20));
        clock.advance(Duration.ofSeconds(20));
        assertThat(waiting).isNotDone();
        clock.advance(BOUND);
        assertThat(waiting).isCompletedWithValueMatching(DomainLease::granted, "granted here: no wait needed");
    }

    @Test
    void aLeaseWhoseReleaseFailsNeverThrows() {
        DomainLease lease = acquire(Duration.ofMinutes(1)).join();
        shared.leasesFail = true;
        lease.started();
        lease.release();
        assertThat(budgets.health().shared()).isFalse();
    }

    @Test
    void theBudgetsRecoverByAProbeWithOneInfo() throws Exception {
        shared.mode = Mode.FAILS;
        charge();
        shared.mode = Mode.ANSWERS;
        int before = shared.calls.get();
        charge();
        assertThat(shared.calls).as("not before the probe is due").hasValue(before);
        clock.advance(PROBE_EVERY);
        charge();
        assertThat(budgets.health().shared()).isTrue();
        assertThat(budgets.health().recoveries()).isEqualTo(1);
        assertThat(log.at(Level.INFO)).hasSize(1).allMatch(m -> m.startsWith("shared callback limits answer again"));
    }

    private CompletableFuture<Optional<String>> charge() throws Exception {
        return budgets.chargeClient(Optional.of(InetAddress.getByName("192.0.2.7"))).toCompletableFuture();
    }

    private CompletableFuture<DomainLease> acquire(Duration wait) {
        return budgets.acquire("example.com", clock.in(wait), LEASE).toCompletableFuture();
    }

    /** Shared budgets that answer, fail (a read-only replica) or stall; their leases may fail too. */
    private static final class Faulty extends ForwardingBudgets {
        final AtomicInteger calls = new AtomicInteger();
        volatile Mode mode = Mode.ANSWERS;
        volatile boolean leasesFail;

        Faulty(RemoteBudgets inner) {
            super(inner);
        }

        private <T> CompletionStage<T> call(java.util.function.Supplier<CompletionStage<T>> answer) {
            calls.incrementAndGet();
            switch (mode) {
                case FAILS:
                    return CompletableFuture.failedFuture(new IllegalStateException("READONLY"));
                case STALLS:
                    return new CompletableFuture<>();
                default:
                    return answer.get();
            }
        }

        @Override
        public CompletionStage<Optional<String>> chargeClient(Optional<InetAddress> client) {
            return call(() -> inner.chargeClient(client));
        }

        @Override
        public CompletionStage<DomainLease> acquire(String domain, int probes, long deadlineNanos, Duration leaseTime) {
            return call(() -> inner.acquire(domain, probes, deadlineNanos, leaseTime).thenApply(l -> (DomainLease) new DomainLease() {
                @Override
                public long expiresAtMillis() {
                    return l.expiresAtMillis();
                }

                @Override
                public void started() {
                    l.started();
                    if (leasesFail) {
                        throw new IllegalStateException("connection reset");
                    }
                }

                @Override
                public boolean granted() {
                    return l.granted();
                }

                @Override
                public String reason() {
                    return l.reason();
                }

                @Override
                public void release() {
                    l.release();
                    if (leasesFail) {
                        throw new IllegalStateException("connection reset");
                    }
                }
            }));
        }
    }
}
