package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.Verdict;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * This process's side of "one callback per address": everyone here asking for an address while
 * it is being looked up, claimed, waited for or called back shares that one run, so a burst on
 * one node costs one round of Redis calls and at most one callback, whatever Redis says. The
 * address is free again once the run has completed, however it ended.
 */
final class LocalCalls {
    private final ConcurrentHashMap<String, CompletableFuture<Verdict>> runs = new ConcurrentHashMap<>();

    /**
     * A copy of the run for {@code address}: the one under way, else a new one from {@code run}
     * (which must not throw). A copy per caller, so that one cancelling or completing its own
     * changes no one else's answer.
     */
    CompletableFuture<Verdict> join(String address, Supplier<CompletableFuture<Verdict>> run) {
        CompletableFuture<Verdict> shared = new CompletableFuture<>();
        CompletableFuture<Verdict> running = runs.putIfAbsent(address, shared);
        if (running != null) {
            return running.copy();
        }
        run.get().whenComplete((verdict, failure) -> {
            // freed before completing: whoever a completion wakes and asks again starts anew
            runs.remove(address, shared);
            if (failure != null) {
                shared.completeExceptionally(failure);
            } else {
                shared.complete(verdict);
            }
        });
        return shared.copy();
    }
}
