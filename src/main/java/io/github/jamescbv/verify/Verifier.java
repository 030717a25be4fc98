package io.github.jamescbv.verify;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Verdict;
import java.util.concurrent.CompletionStage;

/**
 * The engine: decides by an SMTP callback whether the mail servers of a target accept its
 * address. The one interface of the engine: {@link CallbackVerifier} is the real one, the
 * protections ({@code policy.GuardedVerifier}) wrap one, tests put a fake one in.
 *
 * <p>The target is routed already (the domain map is applied once, by whoever asks first).
 * {@link #verify} never blocks the caller and the stage never completes exceptionally:
 * any failure, ours included, is a {@link Verdict} (usually {@code transient}, stage
 * {@code internal}). Callers may therefore chain on it without guarding.
 */
public interface Verifier {

    /**
     * @param dialog receives the DNS answers and the SMTP dialog, one sanitised line each
     * @param known  what is already known of the target's domain (a domain known to accept
     *               everything is not asked a random address again); {@link DomainFacts#NONE} if nothing
     */
    CompletionStage<Verdict> verify(CallbackTarget target, DialogListener dialog, DomainFacts known);
}
