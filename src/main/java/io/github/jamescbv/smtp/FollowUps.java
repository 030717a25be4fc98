package io.github.jamescbv.smtp;

import io.github.jamescbv.core.EmailAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The follow-up recipients of one probe and what each got, in order. Shared by the probe's
 * connection and, when the server dropped that one, the one extra connection that asks the
 * rest; {@link ProbeSession#abort} may end it from another thread, hence the locking (never
 * contended: one probe's events come one at a time).
 *
 * <p>The result completes exactly once: with one {@link FollowUpReply} per recipient once each
 * has a reply or has been given up, or with an empty list when they are not asked at all
 * (the address itself was not accepted, so there is nothing to learn about its domain).
 */
final class FollowUps {
    private final List<EmailAddress> recipients;
    private final List<FollowUpReply> answers = new ArrayList<>();
    private final CompletableFuture<List<FollowUpReply>> result = new CompletableFuture<>();

    FollowUps(List<EmailAddress> recipients) {
        this.recipients = List.copyOf(recipients);
        if (this.recipients.isEmpty()) {
            result.complete(List.of());
        }
    }

    /** Completes as described above; never exceptionally. */
    CompletableFuture<List<FollowUpReply>> result() {
        return result;
    }

    /** Whether a recipient still waits to be asked. */
    synchronized boolean remaining() {
        return !result.isDone() && answers.size() < recipients.size();
    }

    /** The recipient to ask now, or null when none is left. */
    synchronized EmailAddress current() {
        return remaining() ? recipients.get(answers.size()) : null;
    }

    /** The current recipient got {@code reply}. */
    synchronized void answered(SmtpReply reply) {
        if (remaining()) {
            answers.add(FollowUpReply.replied(current(), reply));
            completeIfAllAnswered();
        }
    }

    /** Every recipient not answered yet stays without a reply, for this reason. */
    synchronized void giveUp(String why) {
        while (remaining()) {
            answers.add(FollowUpReply.unanswered(current(), why));
        }
        completeIfAllAnswered();
    }

    /** The follow-ups are not asked at all. */
    synchronized void notAsked() {
        result.complete(List.of());
    }

    private void completeIfAllAnswered() {
        if (answers.size() == recipients.size()) {
            result.complete(List.copyOf(answers));
        }
    }
}
