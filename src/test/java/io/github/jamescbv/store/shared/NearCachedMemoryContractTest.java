package io.github.jamescbv.store.shared;

import io.github.jamescbv.policy.AnswerTiming;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.policy.VerdictMemoryContract;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import io.github.jamescbv.testing.ManualClock;

/**
 * The whole contract through the near-cache, in one process: this node's own writes and forgets
 * drop its near entries, so nothing is relaxed here. What it relaxes (another node's writes seen
 * only after the near lifetime) is {@link NearCachedMemoryTest}'s.
 */
class NearCachedMemoryContractTest extends VerdictMemoryContract {
    @Override
    protected VerdictMemory newMemory(CacheSettings settings, ManualClock clock) {
        return new NearCachedMemory(new InMemoryVerdictMemory(settings, clock), settings, clock);
    }

    /** The in-memory store answers in the caller's thread, and so does the near-cache over it. */
    @Override
    protected AnswerTiming timing() {
        return AnswerTiming.AT_ONCE;
    }
}
