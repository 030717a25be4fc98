package io.github.jamescbv.smtp;

import io.github.jamescbv.core.EmailAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What one follow-up recipient (see {@link ProbeQuery#followUps()}) got: the reply to its
 * RCPT TO, or the reason there was none (a timeout, a dropped connection, a refused RSET...).
 * The probe client only reports; what a reply means is the caller's business.
 */
public final class FollowUpReply {
    private final EmailAddress recipient;
    private final SmtpReply reply;
    private final String failure;

    private FollowUpReply(EmailAddress recipient, SmtpReply reply, String failure) {
        this.recipient = Objects.requireNonNull(recipient, "recipient");
        this.reply = reply;
        this.failure = failure == null ? "" : failure;
    }

    /** The server answered this recipient's RCPT TO with {@code reply}. */
    public static FollowUpReply replied(EmailAddress recipient, SmtpReply reply) {
        return new FollowUpReply(recipient, Objects.requireNonNull(reply, "reply"), "");
    }

    /** No reply to this recipient's RCPT TO, for the reason given. */
    public static FollowUpReply unanswered(EmailAddress recipient, String why) {
        return new FollowUpReply(recipient, null, Objects.requireNonNull(why, "why"));
    }

    public EmailAddress recipient() {
        return recipient;
    }

    public Optional<SmtpReply> reply() {
        return Optional.ofNullable(reply);
    }

    /** Why there is no reply; "" when there is one. */
    public String failure() {
        return failure;
    }

    @Override
    public String toString() {
        return recipient + ": " + (reply != null ? reply.toString() : "no reply, " + failure);
    }
}
