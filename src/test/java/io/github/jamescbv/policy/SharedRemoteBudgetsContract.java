package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.policy.RemoteBudgets.DomainLease;
import io.github.jamescbv.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What budgets shared by several processes must do beyond {@link RemoteBudgetsContract}: a
 * holder can die alone, and what it held must come back by itself. Budgets that live in one
 * process's heap die with their holder and extend only the base contract.
 */
public abstract class SharedRemoteBudgetsContract extends RemoteBudgetsContract {

    /** Budgets on the same store as {@code node}, as another process has them. */
    protected abstract RemoteBudgets anotherNode(RemoteBudgets node, LimitSettings settings, ManualClock clock);

    /**
     * Lets {@code elapsed} pass for the leases held in the store, after the test has advanced
     * {@code clock} by as much. A store that expires leases on its own time (a Redis key's TTL
     * runs on the server's clock, which no {@link ManualClock} moves) brings them that much
     * nearer their end here, e.g. by shortening each lease key's TTL; a store whose leases
     * expire on the clock it was given has nothing to do.
     */
    protected abstract void leaseTimePasses(Duration elapsed);

    @Test
    void aLeaseOfAHolderThatDiedComesBackAfterItsLeaseTime() {
        RemoteBudgets crashed = budgets(10, 1, 30, 20);
        RemoteBudgets survivor = anotherNode(crashed, settings(10, 1, 30, 20), clock);
        made.add(survivor);
        DomainLease held = granted(acquire(crashed, "example.com", LONG));
        held.started(); // and never released: its node is gone
        CompletableFuture<DomainLease> waiting = acquire(survivor, "example.com", LONG);
        passTime(LEASE.minusSeconds(1));
        timing().stillWaiting(waiting);
        passTime(Duration.ofSeconds(2));
        assertThat(waiting).succeedsWithin(10, TimeUnit.SECONDS).matches(DomainLease::granted);
    }

    /** Time passes for the waiter's deadline and the budgets' timers (the clock) and for the store's leases. */
    private void passTime(Duration elapsed) {
        clock.advance(elapsed);
        leaseTimePasses(elapsed);
    }
}
