package io.github.jamescbv.store.shared;

import io.github.jamescbv.core.Verdict;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A request's callback that runs at most once, whichever store asks for it: a call moved from
 * the shared store to this node's memory half-way must not call the remote back twice. Who asks
 * after the first gets the same outcome. Never throws: a callback that throws is a failed stage.
 */
final class OnceCallback implements Supplier<CompletionStage<Verdict>> {
    private final Supplier<? extends CompletionStage<Verdict>> callback;
    private final AtomicReference<CompletableFuture<Verdict>> run = new AtomicReference<>();

    OnceCallback(Supplier<? extends CompletionStage<Verdict>> callback) {
        this.callback = callback;
    }

    @Override
    public CompletionStage<Verdict> get() {
        CompletableFuture<Verdict> mine = new CompletableFuture<>();
        if (run.compareAndSet(null, mine)) {
            try {
                callback.get().whenComplete((v, e) -> {
                    if (e != null) {
                        mine.completeExceptionally(e);
                    } else {
                        mine.complete(v);
                    }
                });
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
            }
        }
        // a copy: a store that completes what it was given changes no one else's outcome
        return run.get().copy();
    }

    /** Whether a store has started the callback. */
    boolean ran() {
        return run.get() != null;
    }
}
