package io.github.jamescbv.store.memory;

import io.github.jamescbv.core.Verdict;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Callbacks under way, by key: a request for a key already being called back joins that
 * callback instead of starting another. A hundred messages from one forged sender arriving
 * at once make one SMTP connection to its mail server, not a hundred.
 */
final class InFlightCalls {
    private final ConcurrentHashMap<String, CompletableFuture<Verdict>> calls = new ConcurrentHashMap<>();

    /**
     * The verdict of the callback for {@code key}: the one in flight, or a new one from
     * {@code start}. The key is released only once {@code start}'s stage has completed, so a
     * stage that records its verdict in the cache before completing leaves no gap in which a
     * request would find neither the callback nor its verdict.
     *
     * <p>Each caller gets its own copy of the shared future: one that completes, cancels or puts
     * a timeout on what it got changes nobody else's answer. A copy of a completed future is
     * completed at once, so a caller still sees a finished callback without a thread hop.
     */
    CompletableFuture<Verdict> join(String key, Supplier<? extends CompletionStage<Verdict>> start) {
        CompletableFuture<Verdict> mine = new CompletableFuture<>();
        CompletableFuture<Verdict> existing = calls.putIfAbsent(key, mine);
        if (existing != null) {
            return existing.copy();
        }
        CompletionStage<Verdict> started;
        try {
            started = start.get();
        } catch (RuntimeException e) {
            calls.remove(key, mine);
            mine.completeExceptionally(e);
            return mine.copy();
        }
        started.whenComplete((verdict, error) -> {
            calls.remove(key, mine);
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(verdict);
            }
        });
        return mine.copy();
    }

    int size() {
        return calls.size();
    }
}
