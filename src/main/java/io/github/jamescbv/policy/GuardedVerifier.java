package io.github.jamescbv.policy;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.verify.Verifier;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The engine behind the abuse protections, in the order that spends least on the remote:
 * cache, then a callback already in flight for the same address, then the connecting
 * client's budget, then the process-wide and per-domain limits, and only then the engine.
 * Refusals by a limit are {@code transient}, stage {@code policy}, and are not cached: they
 * say nothing about the address. Only the engine's verdicts are remembered.
 *
 * <p>The engine is also told what the cache knows of the domain ({@link DomainFacts}): the
 * cache holds that knowledge, the engine decides what it saves asking. So neither needs the
 * other, and a domain fact never stands in for a verdict about an address.
 */
public final class GuardedVerifier {

    private final Verifier engine;
    private final Duration admissionWait;
    private final VerdictCache cache;
    private final CallbackLimits limits;
    private final InFlightCalls inFlight = new InFlightCalls();

    /**
     * @param admissionWait how long a request may wait for the limits before it is refused (the total timeout)
     */
    public GuardedVerifier(Verifier engine, Duration admissionWait, VerdictCache cache, CallbackLimits limits) {
        this.engine = engine;
        this.admissionWait = admissionWait;
        this.cache = cache;
        this.limits = limits;
    }

    /**
     * Never blocks; the stage never completes exceptionally.
     *
     * @param target the address to verify, routed by the domain map: the cache is keyed by the address actually called back
     * @param client the connecting client whose message causes this callback, for its rate budget
     */
    public CompletionStage<Verdict> verify(CallbackTarget target, Optional<InetAddress> client, DialogListener dialog) {
        String key = target.recipient().toString();
        String domain = target.domain();
        Optional<Verdict> hit = cache.lookup(key, domain);
        if (hit.isPresent()) {
            return CompletableFuture.completedFuture(hit.get());
        }
        return inFlight.join(key, () -> newCallback(target, key, domain, client, dialog))
            .exceptionally(e -> Verdict.builder(Result.TRANSIENT, Stage.INTERNAL).domain(domain)
                .text("internal error: " + e).build());
    }

    /** Callbacks in flight now (distinct addresses). */
    public int inFlight() {
        return inFlight.size();
    }

    private CompletionStage<Verdict> newCallback(CallbackTarget target, String key, String domain,
                                                 Optional<InetAddress> client, DialogListener dialog) {
        long startNanos = System.nanoTime();
        Optional<String> overBudget = limits.chargeClient(client);
        if (overBudget.isPresent()) {
            return CompletableFuture.completedFuture(refusal(domain, overBudget.get(), startNanos));
        }
        return limits.admit(domain, startNanos + admissionWait.toNanos()).thenCompose(admission -> {
            if (!admission.granted()) {
                return CompletableFuture.completedFuture(refusal(domain, admission.reason(), startNanos));
            }
            // While this request waited for a slot, another address of the domain may have
            // brought back a domain-level answer (unreachable MX hosts, probe sender refused).
            Optional<Verdict> meanwhile = cache.lookup(key, domain);
            if (meanwhile.isPresent()) {
                admission.release();
                return CompletableFuture.completedFuture(meanwhile.get());
            }
            CompletionStage<Verdict> verdict;
            try {
                verdict = engine.verify(target, dialog, cache.domainFacts(domain));
            } catch (RuntimeException e) {
                admission.release();
                throw e;
            }
            // Remember first, then free the slot: a request of the same domain waiting for it
            // must find a domain-level answer in the cache rather than call back again.
            return verdict.whenComplete((v, e) -> {
                try {
                    if (v != null) {
                        cache.record(key, domain, v);
                    }
                } finally {
                    admission.release();
                }
            });
        });
    }

    private static Verdict refusal(String domain, String reason, long startNanos) {
        return Verdict.builder(Result.TRANSIENT, Stage.POLICY).domain(domain).text(reason)
            .elapsed(Duration.ofNanos(System.nanoTime() - startNanos)).build();
    }
}
