package io.github.jamescbv.smtp;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What one connection of a probe delivers: the outcome, and the replies of the follow-up
 * recipients it asks. A probe's first connection delivers both; the second one, opened only
 * when the server dropped the first during the follow-ups, shares the first one's
 * {@link FollowUps} and has no outcome to give: whatever would decide one there only means
 * that the follow-ups still waiting cannot be asked, and its reasons say it was the second
 * connection.
 *
 * <p>The outcome completes once, by the dialog on the I/O thread or by {@link #abort} from the
 * closing thread, whichever comes first; {@link FollowUps} does its own locking.
 */
final class SessionResults {
    /** Prefix of the reasons given for follow-ups that the second connection could not ask. */
    static final String SECOND_CONNECTION = "second connection: ";

    private final FollowUps followUps;
    private final boolean secondConnection;
    private final CompletableFuture<ProbeOutcome> outcome = new CompletableFuture<>();

    /** The results of a probe's first connection, with these follow-up recipients to ask. */
    SessionResults(List<EmailAddress> followUps) {
        this(new FollowUps(followUps), false);
    }

    private SessionResults(FollowUps followUps, boolean secondConnection) {
        this.followUps = followUps;
        this.secondConnection = secondConnection;
    }

    /** The results of the second connection, which asks the follow-ups this one could not. */
    SessionResults forSecondConnection() {
        return new SessionResults(followUps, true);
    }

    boolean secondConnection() {
        return secondConnection;
    }

    /** Completes exactly once, never exceptionally; never on the second connection. */
    CompletableFuture<ProbeOutcome> outcome() {
        return outcome;
    }

    /** Completes when both the outcome and the follow-ups are known: the probe needs nothing more. */
    CompletableFuture<Void> finished() {
        return CompletableFuture.allOf(outcome, followUps.result());
    }

    /** Whether this connection has nothing left to find out (it was aborted while connecting). */
    boolean settled() {
        return secondConnection ? !followUps.remaining() : outcome.isDone();
    }

    /**
     * Reports the outcome, or on the second connection gives up the follow-ups still waiting,
     * naming the stage and the reply or failure.
     *
     * @param followUpsGoOn whether the follow-ups are asked next (else they are settled as not asked first)
     * @return whether this completed the outcome (false if it was complete already, and on the second connection)
     */
    boolean decide(ProbeOutcome result, boolean followUpsGoOn) {
        if (secondConnection) {
            giveUp(result.stage().word() + ": " + result.reply().map(SmtpReply::toString).orElse(result.detail()));
            return false;
        }
        if (!followUpsGoOn) {
            followUps.notAsked();
        }
        return outcome.complete(result.withFollowUps(followUps.result().copy()));
    }

    /**
     * Ends the probe from outside: the outcome completes now as an {@code INTERNAL} failure at
     * {@code stage} (the follow-ups then not asked), or if it was known already, the follow-ups
     * still waiting are given up.
     *
     * @return whether this ended something on the first connection, worth a line in its transcript
     */
    boolean abort(Stage stage, String detail) {
        if (secondConnection) {
            giveUp(detail);
            return false;
        }
        if (outcome.complete(ProbeOutcome.failed(stage, Failure.INTERNAL, detail))) {
            followUps.notAsked();
            return true;
        }
        if (followUps.remaining()) {
            giveUp(detail);
            return true;
        }
        return false;
    }

    /** Whether a follow-up recipient still waits to be asked. */
    boolean followUpsRemain() {
        return followUps.remaining();
    }

    /** The follow-up recipient to ask now, or null when none is left. */
    EmailAddress nextFollowUp() {
        return followUps.current();
    }

    /** The current follow-up recipient got {@code reply}. */
    void followUpAnswered(SmtpReply reply) {
        followUps.answered(reply);
    }

    /** The follow-ups still waiting cannot be asked on this connection, for this reason. */
    void giveUp(String why) {
        followUps.giveUp(secondConnection ? SECOND_CONNECTION + why : why);
    }
}
