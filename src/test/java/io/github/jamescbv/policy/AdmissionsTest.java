package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.policy.RemoteBudgets.DomainLease;
import io.github.jamescbv.store.memory.InMemoryBudgets;
import io.github.jamescbv.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@link Admissions} does when the budgets fail half-way; the limits themselves are in InMemoryLimitsTest. */
class AdmissionsTest {
    private static final LimitSettings ONE_EACH = new LimitSettings(1, 10, 1, 30, 1000);
    private static final Duration LEASE = Duration.ofMinutes(2);

    private final ManualClock clock = new ManualClock();
    private final InMemoryBudgets budgets = new InMemoryBudgets(ONE_EACH, clock, clock);
    private final ProcessCapacity capacity = new ProcessCapacity(ONE_EACH, clock, clock);

    @AfterEach
    void close() {
        budgets.close();
        capacity.close();
    }

    @Test
    void aLeaseThatFailsToStartIsARefusalAndGivesBothSlotsBack() throws Exception {
        Admissions admissions = new Admissions(new FaultyLeases(budgets, FaultyLeases.Fault.STARTED), capacity);
        Admission refused = admissions.admit("example.com", clock.in(Duration.ofSeconds(5)), LEASE)
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(refused.granted()).isFalse();
        assertThat(refused.reason()).isEqualTo("internal error in callback limits: IllegalStateException");
        assertThat(refused).isNotInstanceOf(DomainLease.class);
        assertThat(capacity.inFlight()).as("the process slot came back").isZero();
        DomainLease again = budgets.acquire("example.com", clock.nanoTime(), LEASE).toCompletableFuture().getNow(null);
        assertThat(again.granted()).as("the domain slot came back").isTrue();
    }

    @Test
    void aProcessRefusalIsAPlainAdmissionNotALease() {
        Admission refused = Admission.refused(ProcessCapacity.CAPACITY_EXCEEDED);
        assertThat(refused).isNotInstanceOf(DomainLease.class);
        assertThat(refused.granted()).isFalse();
        assertThat(refused.reason()).isEqualTo(ProcessCapacity.CAPACITY_EXCEEDED);
        assertThat(refused).hasToString("refused: " + ProcessCapacity.CAPACITY_EXCEEDED);
        refused.release();
        assertThat(new RefusedLease("no domain to call back")).hasToString("refused: no domain to call back");
    }
}
