package io.github.jamescbv.store.memory;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.policy.VerdictMemoryContract;
import io.github.jamescbv.testing.ManualClock;

class InMemoryVerdictMemoryContractTest extends VerdictMemoryContract {
    @Override
    protected VerdictMemory newMemory(CacheSettings settings, ManualClock clock) {
        return new InMemoryVerdictMemory(settings, clock);
    }
}
