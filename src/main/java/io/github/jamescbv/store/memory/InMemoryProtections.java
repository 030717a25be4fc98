package io.github.jamescbv.store.memory;

import io.github.jamescbv.core.DaemonScheduler;
import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.ProcessCapacity;
import io.github.jamescbv.policy.Protections;
import java.util.List;

/** Protections held in this JVM's heap: what a single James process has always had. */
public final class InMemoryProtections {
    /** The name of the one daemon timer thread of real-time protections. */
    public static final String TIMER_THREAD = "cbv-limits";

    private InMemoryProtections() {
    }

    /** Real time, with one daemon timer thread {@value #TIMER_THREAD} that {@link Protections#close()} stops. */
    public static Protections start(CacheSettings cache, LimitSettings limits) {
        DaemonScheduler timer = new DaemonScheduler(TIMER_THREAD);
        try {
            return on(cache, limits, Ticker.SYSTEM, timer, List.of(timer));
        } catch (RuntimeException e) {
            timer.close();
            throw e;
        }
    }

    private static Protections on(CacheSettings cache, LimitSettings limits, Ticker ticker, Scheduler scheduler,
                                  List<AutoCloseable> owned) {
        return new Protections(new InMemoryVerdictMemory(cache, ticker), new InMemoryBudgets(limits, ticker, scheduler),
            new ProcessCapacity(limits, ticker, scheduler), ticker, owned);
    }
}
