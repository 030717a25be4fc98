package io.github.jamescbv.store.shared;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.Remembered;
import io.github.jamescbv.policy.VerdictMemory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A shared store that answers, fails, stalls (stages that never complete), stalls only its claims,
 * or refuses only its claims (Redis out of memory or a read-only replica: reads answer, writes fail).
 */
final class FaultySharedMemory implements VerdictMemory {
    enum Mode { ANSWERS, FAILS, THROWS, STALLS, CLAIMS_STALL, CLAIMS_FAIL }

    final AtomicInteger calls = new AtomicInteger();
    private final VerdictMemory inner;
    volatile Mode mode = Mode.ANSWERS;

    FaultySharedMemory(VerdictMemory inner) {
        this.inner = inner;
    }

    private <T> CompletionStage<T> call(Supplier<CompletionStage<T>> answer, boolean claim) {
        calls.incrementAndGet();
        switch (mode) {
            case FAILS:
                return CompletableFuture.failedFuture(new IllegalStateException("OOM command not allowed"));
            case THROWS:
                throw new IllegalStateException("connection refused");
            case STALLS:
                return new CompletableFuture<>();
            case CLAIMS_STALL:
                return claim ? new CompletableFuture<>() : answer.get();
            case CLAIMS_FAIL:
                return claim ? CompletableFuture.failedFuture(new IllegalStateException("OOM command not allowed")) : answer.get();
            default:
                return answer.get();
        }
    }

    @Override
    public CompletionStage<Verdict> recallOrCall(String address, String domain, Supplier<? extends CompletionStage<Verdict>> callback) {
        return call(() -> inner.recallOrCall(address, domain, callback), true);
    }

    @Override
    public CompletionStage<Verdict> refresh(String address, String domain, Supplier<? extends CompletionStage<Verdict>> callback) {
        return call(() -> inner.refresh(address, domain, callback), true);
    }

    @Override
    public CompletionStage<List<Remembered>> recall(String address, String domain) {
        return call(() -> inner.recall(address, domain), false);
    }

    @Override
    public CompletionStage<Void> remember(String address, String domain, Verdict verdict) {
        return call(() -> inner.remember(address, domain, verdict), false);
    }

    @Override
    public CompletionStage<DomainFacts> domainFacts(String domain) {
        return call(() -> inner.domainFacts(domain), false);
    }

    @Override
    public CompletionStage<Boolean> forgetAddress(String address) {
        return call(() -> inner.forgetAddress(address), false);
    }

    @Override
    public CompletionStage<Integer> forgetDomain(String domain) {
        return call(() -> inner.forgetDomain(domain), false);
    }

    @Override
    public CompletionStage<Long> size() {
        return call(inner::size, false);
    }

    @Override
    public int callbacksInFlight() {
        return inner.callbacksInFlight();
    }

    @Override
    public void close() {
        inner.close();
    }
}
