package io.github.jamescbv.policy;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.verify.Verifier;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind the abuse protections, in the order that spends least on the remote:
 * memory, then a callback already in flight for the same address (both in one step of the
 * {@link VerdictMemory}), then the connecting client's budget, then the domain's budget and the
 * process capacity ({@link Admissions}), and only then the engine. The domain's rate is charged
 * the {@code RCPT TO}s the engine may send for the callback ({@link Verifier#probesAtMost}), all
 * at its start: a callback that ends before its domain checks keeps them charged. Refusals by a
 * limit are {@code transient}, stage {@code policy}, and are not remembered: they say nothing
 * about the address. Only the engine's verdicts are remembered.
 *
 * <p>The engine is also told what the memory knows of the domain ({@link DomainFacts}): the
 * memory holds that knowledge, the engine decides what it saves asking. So neither needs the
 * other, and a domain fact never stands in for a verdict about an address.
 *
 * <p>A store that fails is a miss, never an exception to the caller: a memory that cannot answer
 * lets the callback go ahead (without sharing it), a verdict it cannot keep is not kept, a client
 * budget that cannot be charged lets the client through (the other limits still hold), a domain
 * budget that cannot be asked refuses the callback ({@link Admissions}); each with a WARN.
 *
 * <p>A verdict says how long its request waited before the callback started ({@link Verdict#waited()},
 * on the ticker): the client's budget, the domain's slot and rate, the process's slot, the memory's
 * answers on the way. Its {@code elapsed} is the callback's alone, so a mail that queued 18 s
 * behind a busy domain no longer shows as a 9 ms callback. A refusal waited until it was refused
 * and took no callback time. The memory keeps the engine's verdict without the wait: a hit waited for nothing.
 *
 * <p>Each request is counted once for the operators ({@link GuardEvents}): a hit, a miss (it
 * claimed the callback) or a join, and each callback a limit refuses under that limit. Whether a
 * request claimed is known here, not in the store: the store runs the claimer's callback.
 *
 * <p><b>Refresh ahead.</b> A remembered pass older than {@code passRefresh} still answers at once,
 * marked {@link Verdict#refreshing()}; the request that finds it also asks the memory to renew it
 * ({@link VerdictMemory#refresh}), which runs one callback in the background however many requests
 * ask meanwhile, and it is remembered by the usual rules: an {@code error} answers the next mail, a
 * {@code transient} leaves the pass. The renewal answers to the domain's budget and the process's
 * capacity but waits for neither: a callback a mail is waiting for is never put behind one that
 * nobody waits for. It is not charged to the client's budget: it spends nothing on the client's
 * behalf that the pass had not cost already, and a client sending for many regular senders must not
 * find its budget gone on renewals. A renewal that does not renew (refused by a limit, a
 * {@code transient}, our own failure) pauses that address's renewals for {@link #RENEWAL_PAUSE}.
 */
public final class GuardedVerifier {
    /** Added to the admission wait for a domain lease: the callback's longest run plus room for its ending. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(30);
    /** After a renewal that did not renew, none of the same address before this has passed. */
    public static final Duration RENEWAL_PAUSE = Duration.ofMinutes(5);
    /** Addresses paused at most; beyond, the limits alone bound renewals. */
    static final int MAX_RENEWAL_PAUSES = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(GuardedVerifier.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Verifier engine;
    private final Ticker ticker;
    private final Duration admissionWait;
    private final Duration leaseTime;
    private final VerdictMemory memory;
    private final RemoteBudgets budgets;
    private final Admissions admissions;
    private final GuardEvents events;
    private final RenewalPauses pauses;

    /** As below, counted by nobody. */
    public GuardedVerifier(Verifier engine, Duration admissionWait, VerdictMemory memory, RemoteBudgets budgets,
                           ProcessCapacity capacity, Ticker ticker) {
        this(engine, admissionWait, memory, budgets, capacity, ticker, GuardEvents.NONE);
    }

    /**
     * @param admissionWait how long a request may wait for the limits before it is refused (the total timeout)
     * @param ticker        the clock of the limits' deadlines (the one the budgets and the capacity wait on)
     * @param events        told of every hit, miss, join and refusal
     */
    public GuardedVerifier(Verifier engine, Duration admissionWait, VerdictMemory memory, RemoteBudgets budgets,
                           ProcessCapacity capacity, Ticker ticker, GuardEvents events) {
        this(engine, admissionWait, memory, budgets, capacity, ticker, events, renewalPauses(ticker));
    }

    /** @param pauses shared by every guard of one memory ({@link Protections}): a pause is the address's, not the caller's */
    GuardedVerifier(Verifier engine, Duration admissionWait, VerdictMemory memory, RemoteBudgets budgets,
                    ProcessCapacity capacity, Ticker ticker, GuardEvents events, RenewalPauses pauses) {
        this.engine = engine;
        this.ticker = ticker;
        this.admissionWait = admissionWait;
        this.leaseTime = admissionWait.plus(LEASE_MARGIN);
        this.memory = memory;
        this.budgets = budgets;
        this.admissions = new Admissions(budgets, capacity);
        this.events = events;
        this.pauses = pauses;
    }

    static RenewalPauses renewalPauses(Ticker ticker) {
        return new RenewalPauses(ticker, RENEWAL_PAUSE, MAX_RENEWAL_PAUSES);
    }

    /**
     * Never blocks; the stage never completes exceptionally. A hit answers in an already completed stage.
     *
     * @param target the address to verify, routed by the domain map: the memory is keyed by the address actually called back
     * @param client the connecting client whose message causes this callback, for its rate budget
     */
    public CompletionStage<Verdict> verify(CallbackTarget target, Optional<InetAddress> client, DialogListener dialog) {
        Callback callback = new Callback(target, client, dialog, false);
        CompletionStage<Verdict> answer;
        try {
            answer = memory.recallOrCall(callback.key, callback.domain, callback);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Verdict> hit = answeredAtOnce(answer);
        if (hit != null) {
            Verdict v = hit.getNow(null);
            countAnswer(callback, v);
            renewIfDue(target, v);
            return hit; // nothing to add
        }
        return answer.handle((v, e) -> e == null ? CompletableFuture.completedFuture(v) : afterFailure(callback, e))
            .thenCompose(Function.identity())
            .whenComplete((v, e) -> {
                countAnswer(callback, v);
                renewIfDue(target, v);
            });
    }

    /** A pass due for renewal starts the renewal (or joins the one under way); the answer does not wait for it. */
    private void renewIfDue(CallbackTarget target, Verdict answered) {
        if (answered == null || !answered.refreshing()) {
            return;
        }
        Renewal renewal = new Renewal(target);
        if (pauses.paused(renewal.key)) {
            return;
        }
        CompletionStage<Verdict> renewed;
        try {
            renewed = memory.refresh(renewal.key, renewal.domain, renewal);
        } catch (RuntimeException e) {
            renewed = CompletableFuture.failedFuture(e);
        }
        renewed.whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("verdict memory unavailable; the pass of {} is not renewed now: {}", renewal.key, e.toString());
            }
        });
    }

    /**
     * A callback now, for an operator who asks for one: no verdict in memory answers and no callback
     * in flight is joined, but the limits still apply (the client's budget, the domain's, the
     * process's: the remote cannot tell an operator's callback from any other), and the verdict is
     * remembered by the usual rules. Nothing known of the domain is passed on either, so that the
     * dialog shows everything the remote says now. Never blocks; the stage never completes exceptionally.
     */
    public CompletionStage<Verdict> verifyNow(CallbackTarget target, Optional<InetAddress> client, DialogListener dialog) {
        return new Callback(target, client, dialog, true).get();
    }

    /** A request the memory answered, or that joined a callback; one that claimed was counted when it did. */
    private void countAnswer(Callback callback, Verdict v) {
        if (callback.claimed) {
            return;
        }
        tell(() -> {
            if (v != null && v.cached()) {
                events.hit();
            } else {
                events.joined();
            }
        });
    }

    /** Counting never fails a verification. */
    private static void tell(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            LOG.warn("counting a verification failed", e);
        }
    }

    /**
     * The memory itself failed: the callback's own stage never fails ({@link Callback#get}), so an
     * exceptional answer from {@link VerdictMemory#recallOrCall} is the memory's. Then it is a miss.
     */
    private CompletionStage<Verdict> afterFailure(Callback callback, Throwable e) {
        LOG.warn("verdict memory unavailable; calling {} back without it", callback.domain, e);
        return callback.get();
    }

    private static Verdict internalError(String domain, Throwable e) {
        return Verdict.builder(Result.TRANSIENT, Stage.INTERNAL).domain(domain).text("internal error: " + e).build();
    }

    /** One request's callback, run by the memory at most once, when it claims the address. */
    private final class Callback implements Supplier<CompletionStage<Verdict>> {
        final CallbackTarget target;
        final String key;
        final String domain;
        final Optional<InetAddress> client;
        final DialogListener dialog;
        /** An operator's callback: no memory consulted, nothing known of the domain passed on. */
        final boolean fresh;
        /** Set when this request's callback runs: it claimed the address. */
        volatile boolean claimed;

        Callback(CallbackTarget target, Optional<InetAddress> client, DialogListener dialog, boolean fresh) {
            this.target = target;
            this.key = target.recipient().toString();
            this.domain = target.domain();
            this.client = client;
            this.dialog = dialog;
            this.fresh = fresh;
        }

        /**
         * Never fails: a failure on the way (an engine that throws) is the transient/internal
         * verdict, which is never remembered. So everyone who joined gets that one verdict, and
         * nobody takes the failure for the memory's and calls back again.
         */
        @Override
        public CompletionStage<Verdict> get() {
            claimed = true;
            if (!fresh) {
                tell(events::miss);
            }
            CompletionStage<Verdict> run;
            try {
                run = run();
            } catch (RuntimeException e) {
                run = CompletableFuture.failedFuture(e);
            }
            return run.handle((v, e) -> e == null ? v : internalError(domain, e));
        }

        private CompletionStage<Verdict> run() {
            long startNanos = ticker.nanoTime();
            return chargeClient(client).thenCompose(overBudget -> {
                if (overBudget.isPresent()) {
                    tell(() -> events.refused(Limit.CLIENT_RATE));
                    return CompletableFuture.completedFuture(refusal(domain, overBudget.get(), startNanos));
                }
                return admissions.admit(domain, probes(), startNanos + admissionWait.toNanos(), leaseTime)
                    .thenCompose(admission -> admitted(admission, startNanos));
            });
        }

        /** What the domain's rate is charged: every {@code RCPT TO} the engine may send for this target. */
        int probes() {
            return Math.max(1, engine.probesAtMost(target));
        }

        private CompletionStage<Verdict> admitted(Admission admission, long startNanos) {
            if (!admission.granted()) {
                tell(() -> events.refused(Limit.ofAdmissionRefusal(admission.reason())));
                return CompletableFuture.completedFuture(refusal(domain, admission.reason(), startNanos));
            }
            if (fresh) {
                return call(admission, DomainFacts.NONE, startNanos);
            }
            // While this request waited for a slot, another address of the domain may have
            // brought back a domain-level answer (unreachable MX hosts, probe sender refused).
            return recall(key, domain).thenCompose(meanwhile -> {
                if (meanwhile.isPresent()) {
                    release(admission);
                    // from memory, but this request did wait: say so
                    return CompletableFuture.completedFuture(meanwhile.get().toBuilder().waited(since(startNanos)).build());
                }
                return domainFacts(domain).thenCompose(facts -> call(admission, facts, startNanos));
            });
        }

        /** @param startNanos when the request began: its wait ends as the engine starts */
        private CompletionStage<Verdict> call(Admission admission, DomainFacts facts, long startNanos) {
            Duration waited = since(startNanos);
            CompletionStage<Verdict> verdict;
            try {
                verdict = engine.verify(target, dialog, facts);
            } catch (RuntimeException e) {
                release(admission);
                throw e;
            }
            // Remember first, then free the slot: a request of the same domain waiting for it
            // must find a domain-level answer in memory rather than call back again. What is
            // remembered is the engine's verdict: the wait is this request's, not the address's.
            CompletableFuture<Verdict> done = new CompletableFuture<>();
            verdict.whenComplete((v, e) -> {
                CompletionStage<Void> remembered = v != null ? remember(key, domain, v) : DONE;
                remembered.whenComplete((ignored, alsoIgnored) -> {
                    // done completes whatever release does: the memory holds the address until then
                    try {
                        release(admission);
                    } finally {
                        if (e != null) {
                            done.completeExceptionally(e instanceof CompletionException ? e : new CompletionException(e));
                        } else {
                            done.complete(v == null ? null : v.toBuilder().waited(waited).build());
                        }
                    }
                });
            });
            return done;
        }
    }

    /**
     * The callback that renews a pass, run by the memory at most once at a time per address. Its
     * stage completes with what answers after it, for whoever joined it: the new verdict, or the pass
     * it leaves in place; it never fails.
     */
    private final class Renewal implements Supplier<CompletionStage<Verdict>> {
        final String key;
        final String domain;
        /** Its {@link Callback#call}: the engine, then the memory, then the slots released, as for any callback. */
        private final Callback callback;

        Renewal(CallbackTarget target) {
            this.callback = new Callback(target, Optional.empty(), DialogListener.NONE, false);
            this.key = callback.key;
            this.domain = callback.domain;
        }

        @Override
        public CompletionStage<Verdict> get() {
            CompletionStage<Verdict> run;
            try {
                run = run();
            } catch (RuntimeException e) {
                run = CompletableFuture.failedFuture(e);
            }
            return run.handle((v, e) -> {
                if (e == null) {
                    return v;
                }
                pauses.pause(key);
                LOG.warn("renewing the pass of {} failed: {}", key, e.toString());
                return internalError(domain, e);
            });
        }

        private CompletionStage<Verdict> run() {
            // Asked again now that the address is ours: a renewal that ended a moment ago is no reason for another.
            return recall(key, domain).thenCompose(held -> {
                if (held.isPresent() && (!held.get().refreshing() || pauses.paused(key))) {
                    return CompletableFuture.completedFuture(held.get());
                }
                long startNanos = ticker.nanoTime();
                // the deadline now: granted only when there is room at once
                return admissions.admit(domain, callback.probes(), startNanos, leaseTime).thenCompose(admission -> {
                    if (!admission.granted()) {
                        pauses.pause(key);
                        LOG.debug("the pass of {} is not renewed now: {}", key, admission.reason());
                        return CompletableFuture.completedFuture(
                            held.orElseGet(() -> refusal(domain, admission.reason(), startNanos)));
                    }
                    return domainFacts(domain).thenCompose(facts -> callback.call(admission, facts, startNanos))
                        .thenApply(fresh -> renewed(held, fresh));
                });
            });
        }

        /** Paused before the memory lets go of the address: a request that claims it next finds the pause. */
        private Verdict renewed(Optional<Verdict> held, Verdict fresh) {
            if (fresh.result() == Result.TRANSIENT) {
                pauses.pause(key);
                LOG.debug("the pass of {} is kept: its renewal said {}", key, fresh);
            } else if (fresh.result() == Result.ERROR) {
                LOG.info("the pass of {} renewed in the background: now {}", key, fresh);
            }
            return held.isPresent() && !ReplaceRule.replaces(fresh.result(), held.get().result()) ? held.get() : fresh;
        }
    }

    /** A release that throws has freed what it could; the verdict still goes to its callers. */
    private static void release(Admission admission) {
        try {
            admission.release();
        } catch (RuntimeException e) {
            LOG.warn("releasing a callback's admission failed", e);
        }
    }

    // The store's answers, failures turned into misses.

    private CompletionStage<Optional<String>> chargeClient(Optional<InetAddress> client) {
        return safely(() -> budgets.chargeClient(client), Optional.empty(), "client rate limit failed; allowing the callback");
    }

    private CompletionStage<Optional<Verdict>> recall(String key, String domain) {
        return safely(() -> memory.recall(key, domain), List.<Remembered>of(), "verdict memory unavailable; taken as a miss")
            .thenApply(VerdictMemory::answer);
    }

    private CompletionStage<DomainFacts> domainFacts(String domain) {
        return safely(() -> memory.domainFacts(domain), DomainFacts.NONE, "verdict memory unavailable; no domain facts");
    }

    private CompletionStage<Void> remember(String key, String domain, Verdict v) {
        return safely(() -> memory.remember(key, domain, v), null, "verdict memory unavailable; the verdict is not remembered");
    }

    private static <T> CompletionStage<T> safely(Supplier<CompletionStage<T>> ask, T instead, String warning) {
        CompletionStage<T> stage;
        try {
            stage = ask.get();
        } catch (RuntimeException e) {
            LOG.warn(warning, e);
            return CompletableFuture.completedFuture(instead);
        }
        return stage.exceptionally(e -> {
            LOG.warn(warning, e);
            return instead;
        });
    }

    /**
     * {@code answer} as a future when it is already a verdict, else null. A store may hand out a
     * minimal stage, whose own {@code isDone} throws: {@code toCompletableFuture} asks it safely
     * (and gives a copy the caller may complete). A stage that cannot say is taken as pending.
     */
    private static CompletableFuture<Verdict> answeredAtOnce(CompletionStage<Verdict> answer) {
        try {
            CompletableFuture<Verdict> f = answer.toCompletableFuture();
            return f.isDone() && !f.isCompletedExceptionally() ? f : null;
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** No callback was made: it took nothing, and the request waited until it was refused. */
    private Verdict refusal(String domain, String reason, long startNanos) {
        return Verdict.builder(Result.TRANSIENT, Stage.POLICY).domain(domain).text(reason).waited(since(startNanos)).build();
    }

    private Duration since(long startNanos) {
        return Duration.ofNanos(ticker.nanoTime() - startNanos);
    }
}
