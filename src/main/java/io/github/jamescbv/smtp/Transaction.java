package io.github.jamescbv.smtp;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Stage;
import java.util.Optional;

/**
 * One mail transaction on a greeted {@link SmtpConnection}, as far as a probe takes it: RSET
 * first when the connection has carried a transaction before, then MAIL FROM, then RCPT TO; never
 * DATA, so nothing is ever delivered. The next transaction's RSET, or QUIT, ends it. Its
 * {@link Listener} hears each reply that matters and decides what follows: the connection does
 * nothing more until it is told.
 */
final class Transaction implements SmtpConnection.ReplyHandler {

    /** Hears the replies of a transaction; each call must go on (a command, QUIT) or close. */
    interface Listener {
        /** MAIL FROM was accepted: {@link #rcptTo} next, or leave. */
        void mailAccepted(Transaction transaction);

        /** RSET or MAIL FROM got another reply than a 2xx; {@link #verb()} says which. */
        void refused(Transaction transaction, SmtpReply reply);

        /** The reply to RCPT TO, whatever it is. */
        void rcptReplied(Transaction transaction, SmtpReply reply);
    }

    /** The command in flight; each carries the stage an outcome decided by its reply reports. */
    private enum Step {
        /** Undoes what an earlier transaction left (RFC 5321 4.1.1.5): no stage of its own. */
        RSET(null), MAIL(Stage.MAIL), RCPT(Stage.RCPT);

        final Stage stage;

        Step(Stage stage) {
            this.stage = stage;
        }
    }

    private final SmtpConnection connection;
    private final Optional<EmailAddress> sender;
    private final Listener listener;
    private Step step;

    private Transaction(SmtpConnection connection, Optional<EmailAddress> sender, Listener listener) {
        this.connection = connection;
        this.sender = sender;
        this.listener = listener;
    }

    /**
     * Begins the first transaction of a connection: MAIL FROM at once.
     *
     * @param sender the probe sender; empty = the null sender {@code <>}
     */
    static Transaction begin(SmtpConnection connection, Optional<EmailAddress> sender, Listener listener) {
        Transaction transaction = new Transaction(connection, sender, listener);
        transaction.mailFrom();
        return transaction;
    }

    /** Begins a transaction after an earlier one: RSET first, so that nothing of that one can colour this one. */
    static Transaction beginAfterAnother(SmtpConnection connection, Optional<EmailAddress> sender, Listener listener) {
        Transaction transaction = new Transaction(connection, sender, listener);
        transaction.send(Step.RSET, "RSET");
        return transaction;
    }

    /** RCPT TO for {@code recipient}; its reply goes to {@link Listener#rcptReplied}. */
    void rcptTo(EmailAddress recipient) {
        send(Step.RCPT, "RCPT TO:<" + recipient + ">");
    }

    /** The verb of the command in flight or last answered: RSET, MAIL or RCPT. */
    String verb() {
        return step.name();
    }

    @Override
    public void onReply(SmtpReply reply) {
        switch (step) {
            case RSET:
                if (reply.isPositive()) {
                    mailFrom();
                } else {
                    listener.refused(this, reply);
                }
                break;
            case MAIL:
                if (reply.isPositive()) {
                    listener.mailAccepted(this);
                } else {
                    listener.refused(this, reply);
                }
                break;
            case RCPT:
                listener.rcptReplied(this, reply);
                break;
        }
    }

    private void mailFrom() {
        send(Step.MAIL, "MAIL FROM:<" + sender.map(Object::toString).orElse("") + ">");
    }

    private void send(Step next, String command) {
        step = next;
        connection.send(command, next.stage, this);
    }
}
