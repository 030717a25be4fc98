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

    /**
     * The {@code RCPT TO}s a verification of {@code target} may send at most: one for the address,
     * plus each domain check it may ask after a pass. The limits charge them all to the domain's
     * rate when the callback starts, before anyone knows whether the address passes. A repeat after
     * an MX that gave no answer to {@code RCPT TO} is rare and not counted. Never less than 1.
     */
    default int probesAtMost(CallbackTarget target) {
        return 1;
    }
}
