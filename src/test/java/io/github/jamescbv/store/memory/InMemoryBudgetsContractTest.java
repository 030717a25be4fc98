package io.github.jamescbv.store.memory;

import io.github.jamescbv.policy.AnswerTiming;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.RemoteBudgets;
import io.github.jamescbv.policy.RemoteBudgetsContract;
import io.github.jamescbv.testing.ManualClock;

class InMemoryBudgetsContractTest extends RemoteBudgetsContract {
    @Override
    protected RemoteBudgets newBudgets(LimitSettings settings, ManualClock clock) {
        return new InMemoryBudgets(settings, clock, clock);
    }

    /** Grants and refusals in the caller's thread (or the clock's, as it advances): checked at once. */
    @Override
    protected AnswerTiming timing() {
        return AnswerTiming.AT_ONCE;
    }
}
