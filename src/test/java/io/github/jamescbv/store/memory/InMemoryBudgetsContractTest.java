package io.github.jamescbv.store.memory;

import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.RemoteBudgets;
import io.github.jamescbv.policy.RemoteBudgetsContract;
import io.github.jamescbv.testing.ManualClock;
import java.util.Optional;

class InMemoryBudgetsContractTest extends RemoteBudgetsContract {
    @Override
    protected RemoteBudgets newBudgets(LimitSettings settings, ManualClock clock) {
        return new InMemoryBudgets(settings, clock, clock);
    }

    /** None: the budgets are this process's heap, gone with their holder. */
    @Override
    protected Optional<RemoteBudgets> anotherNode(RemoteBudgets node, LimitSettings settings, ManualClock clock) {
        return Optional.empty();
    }
}
