package io.github.jamescbv.store.shared;

import io.github.jamescbv.policy.AnswerTiming;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.policy.VerdictMemoryContract;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import io.github.jamescbv.testing.ManualClock;

/** The whole contract through the failover while the shared store answers. */
class FailoverMemoryContractTest extends VerdictMemoryContract {
    @Override
    protected VerdictMemory newMemory(CacheSettings settings, ManualClock clock) {
        return new FailoverMemory(new InMemoryVerdictMemory(settings, clock), new InMemoryVerdictMemory(settings, clock),
            clock, clock, FailoverBounds.DEFAULTS);
    }

    /** Both stores answer in the caller's thread, and so does the failover over them. */
    @Override
    protected AnswerTiming timing() {
        return AnswerTiming.AT_ONCE;
    }
}
