package io.github.jamescbv.store.shared;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.Remembered;
import io.github.jamescbv.policy.VerdictMemory;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** A memory that counts the lookups that reach it: what a near-cache must spare the shared store. */
final class CountingMemory implements VerdictMemory {
    final AtomicInteger lookups = new AtomicInteger();
    private final VerdictMemory inner;

    CountingMemory(VerdictMemory inner) {
        this.inner = inner;
    }

    @Override
    public CompletionStage<Verdict> recallOrCall(String address, String domain, Supplier<? extends CompletionStage<Verdict>> callback) {
        lookups.incrementAndGet();
        return inner.recallOrCall(address, domain, callback);
    }

    @Override
    public CompletionStage<Verdict> refresh(String address, String domain, Supplier<? extends CompletionStage<Verdict>> callback) {
        return inner.refresh(address, domain, callback);
    }

    @Override
    public CompletionStage<List<Remembered>> recall(String address, String domain) {
        lookups.incrementAndGet();
        return inner.recall(address, domain);
    }

    @Override
    public CompletionStage<Void> remember(String address, String domain, Verdict verdict) {
        return inner.remember(address, domain, verdict);
    }

    @Override
    public CompletionStage<DomainFacts> domainFacts(String domain) {
        return inner.domainFacts(domain);
    }

    @Override
    public CompletionStage<Boolean> forgetAddress(String address) {
        return inner.forgetAddress(address);
    }

    @Override
    public CompletionStage<Integer> forgetDomain(String domain) {
        return inner.forgetDomain(domain);
    }

    @Override
    public CompletionStage<Long> size() {
        return inner.size();
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
