package io.github.jamescbv.store.shared;

import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.core.Ticker;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import io.github.jamescbv.policy.SharedStoreHealth;
import org.slf4j.Logger;

/**
 * Whether a shared store answers, as this node sees it: two states, shared and degraded.
 * A call that fails or outlasts its bound moves it to degraded (one WARN, one fallback counted);
 * while degraded, calls go to this node's own store and at most one cheap probe every
 * {@code probeEvery} asks the shared one, whose answer moves it back (one INFO, one recovery).
 * Only the probe brings it back: a late answer to a call begun before the outage proves little.
 */
final class SharedHealth implements SharedStoreHealth {
    private final String holds;
    private final String unavailable;
    private final String back;
    private final Logger log;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final long callBoundNanos;
    private final long probeEveryNanos;
    private final AtomicBoolean shared = new AtomicBoolean(true);
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicLong fallbacks = new AtomicLong();
    private final AtomicLong recoveries = new AtomicLong();
    private final Set<Runnable> onDegraded = ConcurrentHashMap.newKeySet();
    private volatile long nextProbeNanos;
    private volatile long degradedSinceNanos;

    /**
     * @param holds       what the store holds, for the metrics' names ({@link SharedStoreHealth#holds()})
     * @param unavailable the WARN's words, e.g. "shared verdict store unavailable, using this node's memory"
     * @param back        the INFO's words, e.g. "shared verdict store answers again"
     */
    SharedHealth(String holds, String unavailable, String back, Logger log, Ticker ticker, Scheduler scheduler, FailoverBounds bounds) {
        this.holds = holds;
        this.unavailable = unavailable;
        this.back = back;
        this.log = log;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.callBoundNanos = bounds.callBound().toNanos();
        this.probeEveryNanos = bounds.probeEvery().toNanos();
    }

    /** Whether to ask the shared store; while degraded, runs {@code probe} when one is due. */
    <T> boolean useShared(Supplier<? extends CompletionStage<T>> probe) {
        if (shared.get()) {
            return true;
        }
        if (ticker.nanoTime() - nextProbeNanos >= 0 && probing.compareAndSet(false, true)) {
            nextProbeNanos = ticker.nanoTime() + probeEveryNanos;
            bounded(probe, callBoundNanos).whenComplete((ignored, e) -> {
                probing.set(false);
                if (e == null) {
                    recovered();
                }
            });
        }
        return false;
    }

    /** The shared store failed or outlasted its bound: degraded, once, and the calls waiting on it are told. */
    void failed(Throwable why) {
        if (!shared.compareAndSet(true, false)) {
            return;
        }
        long now = ticker.nanoTime();
        degradedSinceNanos = now;
        nextProbeNanos = now + probeEveryNanos;
        fallbacks.incrementAndGet();
        log.warn("{}: {}", unavailable, describe(why));
        for (Runnable r : onDegraded) {
            r.run();
        }
    }

    private void recovered() {
        if (shared.compareAndSet(false, true)) {
            recoveries.incrementAndGet();
            log.info("{} (after {} on this node's own)", back,
                Durations.format(java.time.Duration.ofNanos(ticker.nanoTime() - degradedSinceNanos)));
        }
    }

    /** Runs {@code r} when the store is found unavailable, until {@link #forget}. */
    void whenDegraded(Runnable r) {
        onDegraded.add(r);
    }

    void forget(Runnable r) {
        onDegraded.remove(r);
    }

    /** {@code call}'s outcome, or a {@link TimeoutException} after the call bound; never thrown. */
    <T> CompletableFuture<T> bounded(Supplier<? extends CompletionStage<T>> call) {
        return bounded(call, callBoundNanos);
    }

    /** {@code call}'s outcome, or a {@link TimeoutException} after {@code boundNanos}; never thrown. */
    <T> CompletableFuture<T> bounded(Supplier<? extends CompletionStage<T>> call, long boundNanos) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            Scheduler.Cancellable timer = scheduler.schedule(() -> out.completeExceptionally(
                new TimeoutException("no answer within " + Durations.format(java.time.Duration.ofNanos(boundNanos)))), boundNanos);
            out.whenComplete((v, e) -> timer.cancel());
            call.get().whenComplete((v, e) -> {
                if (e != null) {
                    out.completeExceptionally(e);
                } else {
                    out.complete(v);
                }
            });
        } catch (RuntimeException e) {
            out.completeExceptionally(e);
        }
        return out;
    }

    @Override
    public boolean shared() {
        return shared.get();
    }

    @Override
    public long fallbacks() {
        return fallbacks.get();
    }

    @Override
    public long recoveries() {
        return recoveries.get();
    }

    @Override
    public String holds() {
        return holds;
    }

    static String describe(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() == null ? cause.getClass().getSimpleName()
            : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
