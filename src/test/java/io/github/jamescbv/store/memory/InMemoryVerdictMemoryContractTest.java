package io.github.jamescbv.store.memory;

import io.github.jamescbv.policy.AnswerTiming;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.policy.VerdictMemoryContract;
import io.github.jamescbv.testing.ManualClock;

class InMemoryVerdictMemoryContractTest extends VerdictMemoryContract {
    @Override
    protected VerdictMemory newMemory(CacheSettings settings, ManualClock clock) {
        return new InMemoryVerdictMemory(settings, clock);
    }

    /** Every answer in the caller's thread, a hit included: checked at once. */
    @Override
    protected AnswerTiming timing() {
        return AnswerTiming.AT_ONCE;
    }
}
