package io.github.jamescbv.james;

import io.github.jamescbv.verify.CallbackVerifier;
import io.github.jamescbv.verify.Verifier;
import io.github.jamescbv.verify.VerifierSettings;

/** The engine as the handler and the mailet own it: a {@link Verifier} they close when James stops them. */
interface VerifierEngine extends Verifier, AutoCloseable {

    @Override
    void close();

    /** Starts the real engine (Netty probes, dnsjava resolver). */
    static VerifierEngine start(VerifierSettings settings) {
        CallbackVerifier verifier = CallbackVerifier.start(settings);
        return new VerifierEngine() {
            @Override
            public java.util.concurrent.CompletionStage<io.github.jamescbv.core.Verdict> verify(
                    io.github.jamescbv.core.CallbackTarget target, io.github.jamescbv.core.DialogListener dialog,
                    io.github.jamescbv.core.DomainFacts known) {
                return verifier.verify(target, dialog, known);
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
