package io.github.jamescbv.james;

import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.verify.CallbackVerifier;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.verify.VerifierSettings;
import java.util.concurrent.CompletionStage;

/**
 * What the handler needs of the verification engine: verify with the dialog reported (for
 * DEBUG logs), and close. The handler owns one per instance; tests put a fake one in.
 */
interface VerifierEngine extends GuardedVerifier.Engine, AutoCloseable {

    /** Never blocks; the stage never completes exceptionally (see {@link io.github.jamescbv.verify.Verifier}). */
    @Override
    CompletionStage<Verdict> verify(EmailAddress address, DialogListener dialog);

    @Override
    void close();

    /** Starts the real engine (Netty probes, dnsjava resolver). */
    static VerifierEngine start(VerifierSettings settings) {
        CallbackVerifier verifier = CallbackVerifier.start(settings);
        return new VerifierEngine() {
            @Override
            public CompletionStage<Verdict> verify(EmailAddress address, DialogListener dialog) {
                return verifier.verify(address, dialog);
            }

            @Override
            public CompletionStage<Verdict> verify(EmailAddress address, DialogListener dialog, DomainFacts known) {
                return verifier.verify(address, dialog, known);
            }

            @Override
            public void close() {
                verifier.close();
            }
        };
    }

    /** How the handler gets its engine. */
    @FunctionalInterface
    interface Factory {
        VerifierEngine start(VerifierSettings settings);
    }
}
