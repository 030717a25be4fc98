package io.github.jamescbv.store.shared;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.Remembered;
import io.github.jamescbv.policy.VerdictMemory;
import io.github.jamescbv.policy.SharedStoreHealth;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared {@link VerdictMemory} that never costs mail when it fails: every call of it has a
 * bound ({@link FailoverBounds}), and a call that fails or outlasts it is answered by this
 * node's own memory. The first such call logs one WARN; while degraded every call goes to this
 * node's memory and a probe asks the shared store at most every {@code probeEvery}: a claim
 * of an address of its own, what every callback needs of the store, so that a store that reads
 * but refuses writes (out of memory, a read-only replica) is not taken back. The probe's answer
 * logs one INFO and calls go to the shared store again ({@link #fallbacks()},
 * {@link #recoveries()}, {@link #shared()} for the metrics).
 *
 * <p>Verdicts are written to both, so that this node's memory is warm when it must answer alone;
 * forgets go to both. Lookups ask the shared store only while it answers.
 *
 * <p>{@link #recallOrCall} is bounded by the call bound until the shared store has started the
 * callback, or, when another node's callback was joined, by {@code joinBound}; as soon as any
 * call finds the store unavailable, every claim still waiting on it moves to this node's memory.
 * The callback runs at most once either way. Never an exception out of a method; an exceptional
 * stage only for the callback's own failure, as the contract says.
 */
public final class FailoverMemory implements VerdictMemory {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverMemory.class);
    /** The domain of the probes' reads and claims: one nobody calls back (RFC 2606). */
    static final String PROBE_DOMAIN = "cbv-probe.invalid";
    /** What the probe's claim "calls back": never remembered (a claim writes no verdict), never a mail's. */
    private static final CompletionStage<Verdict> PROBE_ANSWER = CompletableFuture.completedFuture(
        Verdict.builder(Result.TRANSIENT, Stage.POLICY).domain(PROBE_DOMAIN).text("shared store probe").build());

    private final VerdictMemory shared;
    private final VerdictMemory local;
    private final Scheduler scheduler;
    private final long callBoundNanos;
    private final long joinBoundNanos;
    private final SharedHealth health;

    /**
     * @param local     this node's own memory (in-memory), which answers while the shared one does not
     * @param scheduler the bounds' timers, on {@code ticker}'s clock; the caller owns it
     */
    public FailoverMemory(VerdictMemory shared, VerdictMemory local, Ticker ticker, Scheduler scheduler, FailoverBounds bounds) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.local = Objects.requireNonNull(local, "local");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.callBoundNanos = bounds.callBound().toNanos();
        this.joinBoundNanos = bounds.joinBound().toNanos();
        this.health = new SharedHealth("verdicts", "shared verdict store unavailable, using this node's memory",
            "shared verdict store answers again, verdicts shared again", LOG, ticker, scheduler, bounds);
    }

    @Override
    public CompletionStage<Verdict> recallOrCall(String address, String domain, Supplier<? extends CompletionStage<Verdict>> callback) {
        return claim(VerdictMemory::recallOrCall, address, domain, callback);
    }

    /** As {@link #recallOrCall}: on the shared store while it answers, else on this node's. */
    @Override
    public CompletionStage<Verdict> refresh(String address, String domain, Supplier<? extends CompletionStage<Verdict>> callback) {
        return claim(VerdictMemory::refresh, address, domain, callback);
    }

    private CompletionStage<Verdict> claim(Operation operation, String address, String domain,
                                           Supplier<? extends CompletionStage<Verdict>> callback) {
        OnceCallback once = new OnceCallback(callback);
        if (!useShared()) {
            return locally(() -> operation.ask(local, address, domain, once));
        }
        return new SharedClaim(operation, address, domain, once).start();
    }

    @Override
    public CompletionStage<List<Remembered>> recall(String address, String domain) {
        return either(() -> shared.recall(address, domain), () -> local.recall(address, domain));
    }

    @Override
    public CompletionStage<Void> remember(String address, String domain, Verdict verdict) {
        // this node's memory first, always: it must be warm should the shared one fail
        CompletionStage<Void> here = locally(() -> local.remember(address, domain, verdict));
        if (!useShared()) {
            return here;
        }
        return health.bounded(() -> shared.remember(address, domain, verdict))
            .handle((ignored, e) -> {
                if (e != null) {
                    health.failed(e);
                }
                return (Void) null;
            });
    }

    @Override
    public CompletionStage<DomainFacts> domainFacts(String domain) {
        return either(() -> shared.domainFacts(domain), () -> local.domainFacts(domain));
    }

    @Override
    public CompletionStage<Boolean> forgetAddress(String address) {
        CompletionStage<Boolean> here = locally(() -> local.forgetAddress(address));
        return useShared() ? either(() -> shared.forgetAddress(address), () -> here) : here;
    }

    @Override
    public CompletionStage<Integer> forgetDomain(String domain) {
        CompletionStage<Integer> here = locally(() -> local.forgetDomain(domain));
        return useShared() ? either(() -> shared.forgetDomain(domain), () -> here) : here;
    }

    @Override
    public CompletionStage<Long> size() {
        return either(shared::size, local::size);
    }

    /** Claims held through either store. */
    @Override
    public int callbacksInFlight() {
        return safeCount(shared) + safeCount(local);
    }

    @Override
    public void close() {
        for (VerdictMemory m : List.of(shared, local)) {
            try {
                m.close();
            } catch (RuntimeException e) {
                LOG.warn("closing a verdict store failed", e);
            }
        }
    }

    /** Whether the shared store answers and how often this node fell back, for the metrics. */
    public SharedStoreHealth health() {
        return health;
    }

    private boolean useShared() {
        return health.useShared(this::probeClaim);
    }

    /**
     * Whether the store can do again what a mail needs of it: look up an address and claim its
     * callback. A read alone is not enough: Redis out of memory (noeviction) or a read-only replica
     * answers reads and refuses the claim's write, and a read probe would bring the node back to a
     * store that fails the next mail, again and again, one WARN and one INFO each time. A fresh
     * address for each probe, so that a claim left by an earlier probe cut off by a failure (held
     * until its lease ends) cannot stall this one.
     */
    private CompletionStage<Verdict> probeClaim() {
        String address = "probe-" + UUID.randomUUID() + "@" + PROBE_DOMAIN;
        return shared.recallOrCall(address, PROBE_DOMAIN, () -> PROBE_ANSWER);
    }

    /** The shared store's answer within the bound, else this node's. */
    private <T> CompletionStage<T> either(Supplier<? extends CompletionStage<T>> there, Supplier<? extends CompletionStage<T>> here) {
        if (!useShared()) {
            return locally(here);
        }
        return health.bounded(there).handle((v, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(v);
            }
            health.failed(e);
            return locally(here);
        }).thenCompose(Function.identity());
    }

    private static <T> CompletionStage<T> locally(Supplier<? extends CompletionStage<T>> here) {
        try {
            return here.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static int safeCount(VerdictMemory m) {
        try {
            return m.callbacksInFlight();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** {@link VerdictMemory#recallOrCall} or {@link VerdictMemory#refresh}, asked of either store. */
    @FunctionalInterface
    private interface Operation {
        CompletionStage<Verdict> ask(VerdictMemory memory, String address, String domain,
                                     Supplier<? extends CompletionStage<Verdict>> callback);
    }

    /**
     * One {@link #recallOrCall} (or {@link #refresh}) on the shared store: answered by it, by the
     * callback it started, or, should it fail or stall before starting the callback, by this node's memory.
     */
    private final class SharedClaim {
        private final Operation operation;
        private final String address;
        private final String domain;
        private final OnceCallback once;
        private final CompletableFuture<Verdict> answer = new CompletableFuture<>();
        private final AtomicBoolean movedHere = new AtomicBoolean();
        private final Runnable onDegraded = this::moveHere;
        private volatile boolean claimed;

        SharedClaim(Operation operation, String address, String domain, OnceCallback once) {
            this.operation = operation;
            this.address = address;
            this.domain = domain;
            this.once = once;
        }

        CompletableFuture<Verdict> start() {
            health.whenDegraded(onDegraded);
            answer.whenComplete((v, e) -> health.forget(onDegraded));
            // the join bound: the shared store may hold us while another node calls back
            health.bounded(() -> operation.ask(shared, address, domain, this::claim), joinBoundNanos)
                .whenComplete(this::sharedAnswered);
            if (!answer.isDone() && !claimed) {
                checkLater();
            }
            return answer;
        }

        /**
         * Still no answer and no claim after the call bound: either another node is calling the
         * address back (the store answers a probe: wait on, up to the join bound) or the store
         * stalls (the probe outlasts its bound: this node answers, and so do all waiting claims).
         */
        private void checkLater() {
            try {
                Scheduler.Cancellable timer = scheduler.schedule(() -> {
                    if (!answer.isDone() && !claimed) {
                        health.bounded(() -> shared.domainFacts(PROBE_DOMAIN)).whenComplete((ignored, e) -> {
                            if (e != null) {
                                health.failed(e);
                                moveHere();
                            }
                        });
                    }
                }, callBoundNanos);
                answer.whenComplete((v, e) -> timer.cancel());
            } catch (RuntimeException e) {
                // no timer (shut down): the join bound still ends the wait
                LOG.debug("no timer for a shared claim", e);
            }
        }

        /** The shared store gives us the claim: the callback's outcome is the answer, however long it takes. */
        private CompletionStage<Verdict> claim() {
            claimed = true;
            CompletionStage<Verdict> outcome = once.get();
            outcome.whenComplete(this::complete);
            return outcome;
        }

        private void sharedAnswered(Verdict v, Throwable e) {
            if (e == null) {
                complete(v, null);
            } else if (!claimed) {
                // the store failed, or stalled, before it started our callback: this node answers
                health.failed(e);
                moveHere();
            }
            // claimed: the callback's own outcome answers (claim), whatever the store did after
        }

        private void moveHere() {
            if (claimed || answer.isDone() || !movedHere.compareAndSet(false, true)) {
                return;
            }
            locally(() -> operation.ask(local, address, domain, once)).whenComplete(this::complete);
        }

        private void complete(Verdict v, Throwable e) {
            if (e != null) {
                answer.completeExceptionally(e);
            } else {
                answer.complete(v);
            }
        }
    }
}
