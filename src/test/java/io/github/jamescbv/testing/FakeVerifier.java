package io.github.jamescbv.testing;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.verify.Verifier;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The one fake engine of the unit tests: records what it is asked (the address before the
 * domain map, and what it was told of the domain) and answers as the test says: a pass for
 * every address by default, a fixed behaviour, or a pending callback per address that the
 * test completes.
 */
public final class FakeVerifier implements Verifier {
    private final List<EmailAddress> asked = new CopyOnWriteArrayList<>();
    private final List<CallbackTarget> targets = new CopyOnWriteArrayList<>();
    private final List<DomainFacts> knew = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<Verdict>> pending = new ConcurrentHashMap<>();
    private volatile Function<EmailAddress, CompletionStage<Verdict>> behaviour = FakeVerifier::passFor;

    /** A pass (stage rcpt, 250) for {@code address}'s domain. */
    public static CompletionStage<Verdict> passFor(EmailAddress address) {
        return CompletableFuture.completedFuture(
            Verdict.builder(Result.PASS, Stage.RCPT).code(250).domain(address.domain()).build());
    }

    /** Answers every later call with {@code answer}. */
    public FakeVerifier answering(Function<EmailAddress, CompletionStage<Verdict>> answer) {
        this.behaviour = answer;
        return this;
    }

    /** Answers every later call with {@code verdict}. */
    public FakeVerifier answering(Verdict verdict) {
        return answering(a -> CompletableFuture.completedFuture(verdict));
    }

    /** Leaves each callback pending, one per address, until {@link #pending(String)} is completed. */
    public FakeVerifier pendingCallbacks() {
        return answering(a -> pending.computeIfAbsent(a.toString(), k -> new CompletableFuture<>()));
    }

    /** The callback pending for {@code address} (as asked, before the map); null if none was asked. */
    public CompletableFuture<Verdict> pending(String address) {
        return pending.get(address);
    }

    @Override
    public CompletionStage<Verdict> verify(CallbackTarget target, DialogListener dialog, DomainFacts known) {
        asked.add(target.original());
        targets.add(target);
        knew.add(known);
        return behaviour.apply(target.original());
    }

    /** The addresses asked, before the domain map, in order. */
    public List<EmailAddress> asked() {
        return asked;
    }

    /** {@link #asked()} as text, a live view. */
    public List<String> askedAsText() {
        return new AbstractList<>() {
            @Override
            public String get(int index) {
                return asked.get(index).toString();
            }

            @Override
            public int size() {
                return asked.size();
            }
        };
    }

    /** The routed targets asked, in order. */
    public List<CallbackTarget> targets() {
        return targets;
    }

    /** What the engine was told of the domain, one per call. */
    public List<DomainFacts> knew() {
        return knew;
    }
}
