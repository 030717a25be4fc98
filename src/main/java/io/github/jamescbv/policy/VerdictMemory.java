package io.github.jamescbv.policy;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Verdict;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * What we know from earlier callbacks, and which callbacks are under way, so that one forged
 * sender does not make us call its domain back for every message. Keyed by the verified
 * address after the domain map ({@link io.github.jamescbv.core.EmailAddress#toString()}), with
 * a domain-level memory ({@link io.github.jamescbv.core.EmailAddress#domain()}) for verdicts
 * that say nothing about the address itself: anything decided before RCPT TO. What is kept
 * under which key and for how long is the same for every store: {@link RememberRules}.
 *
 * <p>Every user of one memory (the SMTP handlers, the mailets, WebAdmin) shares its callbacks
 * in flight: {@link #recallOrCall} is the one atomic "answer from memory, or claim the
 * callback", as Caffeine's {@code AsyncCache.get(key, mappingFunction)}: at most one callback
 * per address at a time, joined by everyone else who asks meanwhile, and the address free
 * again once it ends, whether it brought a verdict or failed.
 *
 * <p><b>An unavailable store is a miss, never an exception</b> (Postfix's verify: "address
 * verification status unavailable", and the mail is deferred rather than refused): a lookup
 * that cannot be answered answers nothing, a verdict that cannot be remembered is dropped with
 * a WARN, {@link #recallOrCall} then simply calls back. Callers still treat an exceptional stage
 * as a miss, with a WARN, and never pass the exception on.
 *
 * <p>Thread-safe and non-blocking. A store that has the answer at hand (the in-memory one, on a
 * hit) returns an already completed stage: a hit costs no thread hop and no executor.
 */
public interface VerdictMemory extends AutoCloseable {

    /**
     * The still-valid verdict for {@code address}, or else for its {@code domain} (marked
     * {@code cached=true}, and a pass due for renewal {@code refreshing=true}: {@link RefreshRule});
     * else joins the callback in flight for {@code address}; else runs
     * {@code callback} once and hands its stage's outcome to everyone who joined. The address is
     * claimed until that stage completes: a callback that remembers its verdict before completing
     * ({@link #remember}) leaves no moment in which a request finds neither the callback nor its
     * verdict. {@code callback} is not run when an answer or a callback in flight is found.
     *
     * @return completes as the callback's stage does, exceptionally included (the callback's own
     *         failure is the caller's to judge); each caller's own stage, never the one everyone
     *         who joined holds, so that a caller completing or cancelling it changes no one else's answer
     */
    CompletionStage<Verdict> recallOrCall(String address, String domain, Supplier<? extends CompletionStage<Verdict>> callback);

    /**
     * The claim of {@link #recallOrCall} without its lookup, for renewing a verdict that still
     * answers (a pass {@link Verdict#refreshing()}): joins the callback in flight for
     * {@code address}, else runs {@code callback} once, the address claimed until its stage
     * completes, as {@link #recallOrCall} would after a miss. Meanwhile {@link #recallOrCall} still
     * answers from what is held, at once; only when nothing answers does it join this callback.
     * When another process holds the claim (a shared store), waits for its verdict as
     * {@link #recallOrCall} does, and completes with what then answers.
     *
     * @return as {@link #recallOrCall}
     */
    CompletionStage<Verdict> refresh(String address, String domain, Supplier<? extends CompletionStage<Verdict>> callback);

    /**
     * Everything still held that bears on {@code address}: its own verdict, its domain's verdict,
     * the domain's accept-all fact, in that order, each with its scope, when it was made and its
     * expiry (for an administrator's look; the first verdict is the one that answers, marked
     * {@link Verdict#refreshing()} as {@link #recallOrCall} would). Empty when nothing is held.
     */
    CompletionStage<List<Remembered>> recall(String address, String domain);

    /**
     * Remembers a fresh verdict per {@link RememberRules}: per address or per domain by its stage,
     * a {@code transient} never replacing a still-valid {@code pass}, {@code internal} never, and
     * an accept-all fact learnt now for the pass lifetime (forgotten when a verdict says otherwise).
     * Completes once remembered (or dropped), never exceptionally.
     */
    CompletionStage<Void> remember(String address, String domain, Verdict verdict);

    /**
     * What is still known of {@code domain} (after the map) from earlier verdicts, for the engine:
     * never an answer about an address, only what it need not ask again. {@link DomainFacts#NONE}
     * when nothing is known or the store cannot say.
     */
    CompletionStage<DomainFacts> domainFacts(String domain);

    /** Forgets what is held under {@code address}; completes with whether anything was. */
    CompletionStage<Boolean> forgetAddress(String address);

    /**
     * Forgets all that is held about {@code domain}: its verdict, its facts and every address of
     * it (keys ending in "@" + domain); completes with how many entries went.
     */
    CompletionStage<Integer> forgetDomain(String domain);

    /** Entries held now (addresses, domains and domain facts), as far as the store can count them. */
    CompletionStage<Long> size();

    /** Callbacks claimed through this object and still running (distinct addresses, gauge). */
    int callbacksInFlight();

    /** Lets go of the store (connections); joined callbacks still complete. Idempotent. */
    @Override
    void close();

    /** The verdict that answers, from {@link #recall}'s list: the first that is not a domain fact. */
    static Optional<Verdict> answer(List<Remembered> held) {
        return answering(held).map(Remembered::verdict);
    }

    /** As {@link #answer}, with where it is held and until when. */
    static Optional<Remembered> answering(List<Remembered> held) {
        for (Remembered r : held) {
            if (r.scope() != CacheScope.ACCEPT_ALL) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
