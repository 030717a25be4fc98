package io.github.jamescbv.store.redis;

import java.util.concurrent.atomic.AtomicInteger;

/** Callbacks this process claimed and still runs: one per address at most, so a count is enough. */
final class CallbackGauge {
    private final AtomicInteger running = new AtomicInteger();

    void started() {
        running.incrementAndGet();
    }

    void ended() {
        running.decrementAndGet();
    }

    int value() {
        return running.get();
    }
}
