package io.github.jamescbv.store.shared;

import io.github.jamescbv.policy.AnswerTiming;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.RemoteBudgets;
import io.github.jamescbv.policy.RemoteBudgetsContract;
import io.github.jamescbv.store.memory.InMemoryBudgets;
import io.github.jamescbv.testing.ManualClock;

/** The whole contract through the failover while the shared budgets answer. */
class FailoverBudgetsContractTest extends RemoteBudgetsContract {
    @Override
    protected RemoteBudgets newBudgets(LimitSettings settings, ManualClock clock) {
        return new FailoverBudgets(new InMemoryBudgets(settings, clock, clock), new InMemoryBudgets(settings, clock, clock),
            clock, clock, FailoverBounds.DEFAULTS);
    }

    @Override
    protected AnswerTiming timing() {
        return AnswerTiming.AT_ONCE;
    }
}
