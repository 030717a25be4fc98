package io.github.jamescbv.verify;

import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.core.EmailAddress;

import java.util.concurrent.CompletionStage;

/**
 * Decides by an SMTP callback whether the mail servers of an address's domain accept it.
 *
 * <p>{@link #verify} never blocks the caller and the stage never completes exceptionally:
 * any failure, ours included, is a {@link Verdict} (usually {@code transient}, stage
 * {@code internal}). Callers may therefore chain on it without guarding.
 */
public interface Verifier {
    CompletionStage<Verdict> verify(EmailAddress address);
}
