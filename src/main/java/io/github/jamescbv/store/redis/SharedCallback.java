package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.Verdict;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One run of "answer from the shared memory, or claim the callback" for one address, across
 * nodes: look up the address and its domain; on a miss claim the callback; if another node
 * holds the claim, wait for its verdict, looking again after a short pause that grows, until
 * the verdict is there (answered), the claim is gone without one (the holder's verdict was not
 * one to remember, or the holder died and its lease ran out: claim it now), or the wait has
 * lasted longer than any callback may (the stage fails: the caller goes on without us).
 *
 * <p>Any Redis call that fails fails the run before the callback has started (the caller takes
 * the memory as unavailable and calls back itself); once the callback runs, its outcome is the
 * answer, and a claim that could not be released ends with its lease.
 */
final class SharedCallback {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(5);
    private static final Duration LONGEST_PAUSE = Duration.ofMillis(100);

    /** What a run needs of the memory it belongs to. */
    static final class Context {
        final VerdictReads reads;
        final SharedClaims claims;
        final RedisLink link;
        /** Longest a run waits for another node's callback: its lease and a margin. */
        final Duration longestWait;
        final CallbackGauge running;
        final BooleanSupplier closed;

        Context(VerdictReads reads, SharedClaims claims, RedisLink link, Duration longestWait, CallbackGauge running,
                BooleanSupplier closed) {
            this.reads = reads;
            this.claims = claims;
            this.link = link;
            this.longestWait = longestWait;
            this.running = running;
            this.closed = closed;
        }
    }

    private final Context context;
    private final String address;
    private final String domain;
    private final Supplier<? extends CompletionStage<Verdict>> callback;
    private final CompletableFuture<Verdict> outcome = new CompletableFuture<>();
    private final long waitDeadlineNanos;
    private Duration pause = FIRST_PAUSE;

    private SharedCallback(Context context, String address, String domain, Supplier<? extends CompletionStage<Verdict>> callback) {
        this.context = context;
        this.address = address;
        this.domain = domain;
        this.callback = callback;
        // real time: the wait is for another process's progress
        this.waitDeadlineNanos = System.nanoTime() + context.longestWait.toNanos();
    }

    /** Starts the run; its stage never throws out of here. */
    static CompletableFuture<Verdict> run(Context context, String address, String domain,
                                          Supplier<? extends CompletionStage<Verdict>> callback) {
        SharedCallback run = new SharedCallback(context, address, domain, callback);
        run.lookThenClaim();
        return run.outcome;
    }

    /**
     * As {@link #run}, claiming at once without looking first: a renewal of a verdict that still
     * answers. Should another node hold the claim, it waits and looks as {@link #run} does.
     */
    static CompletableFuture<Verdict> claimFirst(Context context, String address, String domain,
                                                 Supplier<? extends CompletionStage<Verdict>> callback) {
        SharedCallback run = new SharedCallback(context, address, domain, callback);
        run.claim().whenComplete((ignored, failure) -> run.failIf(failure));
        return run.outcome;
    }

    private void lookThenClaim() {
        context.reads.answer(address, domain)
            .thenCompose(hit -> {
                if (hit != null) {
                    outcome.complete(hit);
                    return CompletableFuture.completedFuture(null);
                }
                return claim();
            })
            .whenComplete((ignored, failure) -> failIf(failure));
    }

    /** The callback ours to run, or another node's to wait for. */
    private CompletableFuture<Void> claim() {
        return context.claims.claim(address).thenAccept(token -> {
            if (token != null) {
                call(token);
            } else {
                waitForHolder();
            }
        });
    }

    /** Ours to call back; the claim is released once the callback's stage completes. */
    private void call(String token) {
        context.running.started();
        CompletionStage<Verdict> stage;
        try {
            stage = callback.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((verdict, failure) -> {
            context.running.ended();
            // asked before this run completes: on our one connection it is sent before any later claim of ours
            context.claims.release(address, token);
            if (failure != null) {
                outcome.completeExceptionally(failure);
            } else {
                outcome.complete(verdict);
            }
        });
    }

    private void waitForHolder() {
        if (context.closed.getAsBoolean()) {
            outcome.completeExceptionally(new IllegalStateException("verdict memory closed"));
            return;
        }
        if (System.nanoTime() - waitDeadlineNanos > 0) {
            outcome.completeExceptionally(new TimeoutException("the callback to " + address
                + " under way on another node did not end within " + context.longestWait));
            return;
        }
        Duration now = pause;
        pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        try {
            context.link.schedule(this::lookAgain, now);
        } catch (RuntimeException e) {
            outcome.completeExceptionally(e); // the client's threads are shut down: closed meanwhile
        }
    }

    /** The holder's verdict, else whether it still holds the claim. */
    private void lookAgain() {
        context.reads.answer(address, domain)
            .thenCompose(hit -> {
                if (hit != null) {
                    outcome.complete(hit);
                    return CompletableFuture.completedFuture(null);
                }
                return context.claims.held(address).thenAccept(held -> {
                    if (held) {
                        waitForHolder();
                    } else {
                        lookThenClaim();
                    }
                });
            })
            .whenComplete((ignored, failure) -> failIf(failure));
    }

    private void failIf(Throwable failure) {
        if (failure != null) {
            outcome.completeExceptionally(failure);
        }
    }
}
