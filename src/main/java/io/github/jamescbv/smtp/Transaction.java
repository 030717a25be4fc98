package io.github.jamescbv.smtp;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One mail transaction on a greeted {@link SmtpConnection}, as far as a probe takes it: RSET
 * first when the connection has carried a transaction before, then MAIL FROM, then RCPT TO; never
 * DATA, so nothing is ever delivered. The next transaction's RSET, or QUIT, ends it. Its
 * {@link Listener} hears each reply that matters and decides what follows: the connection does
 * nothing more until it is told.
 *
 * <p><b>Pipelined</b> (RFC 2920, when the server announced PIPELINING): the whole transaction,
 * RSET included, goes out as one group, and the replies are read in order. The rules stay those
 * of one command at a time: a refusal of RSET or MAIL FROM is reported at once, and the replies
 * after it are read and ignored (the connection does so before its QUIT); RCPT's reply is
 * reported only when everything before it was accepted.
 */
final class Transaction {

    /** Hears the replies of a transaction; each call must go on (a command, QUIT) or close. */
    interface Listener {
        /** MAIL FROM was accepted (one command at a time only): {@link #rcptTo} next, or leave. */
        void mailAccepted(Transaction transaction);

        /** RSET or MAIL FROM got another reply than a 2xx; {@link #verb()} says which. */
        void refused(Transaction transaction, SmtpReply reply);

        /** The reply to RCPT TO, whatever it is. */
        void rcptReplied(Transaction transaction, SmtpReply reply);
    }

    /** A command of the transaction; each carries the stage an outcome decided by its reply reports. */
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
    /** The command whose reply came last, or which is in flight. */
    private Step step;
    /** Whether RCPT TO went out with MAIL FROM: then MAIL's 2xx needs no word from the listener. */
    private boolean pipelined;
    /** A pipelined group's RSET or MAIL FROM was refused: what follows in the group is not reported. */
    private boolean refused;

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
        transaction.send(Step.MAIL, List.of(transaction.mailFrom()));
        return transaction;
    }

    /** Begins a transaction after an earlier one: RSET first, so that nothing of that one can colour this one. */
    static Transaction beginAfterAnother(SmtpConnection connection, Optional<EmailAddress> sender, Listener listener) {
        Transaction transaction = new Transaction(connection, sender, listener);
        transaction.send(Step.RSET, List.of(transaction.command(Step.RSET, "RSET")));
        return transaction;
    }

    /**
     * The whole transaction as one group (RFC 2920): RSET first if {@code afterAnother}, then MAIL
     * FROM and RCPT TO for {@code recipient}. Only to a server that announced PIPELINING.
     */
    static Transaction pipelined(SmtpConnection connection, boolean afterAnother, Optional<EmailAddress> sender,
                                 EmailAddress recipient, Listener listener) {
        Transaction transaction = new Transaction(connection, sender, listener);
        transaction.pipelined = true;
        List<SmtpConnection.Command> group = new ArrayList<>(3);
        if (afterAnother) {
            group.add(transaction.command(Step.RSET, "RSET"));
        }
        group.add(transaction.mailFrom());
        group.add(transaction.rcptCommand(recipient));
        transaction.send(afterAnother ? Step.RSET : Step.MAIL, group);
        return transaction;
    }

    /** RCPT TO for {@code recipient}; its reply goes to {@link Listener#rcptReplied}. */
    void rcptTo(EmailAddress recipient) {
        send(Step.RCPT, List.of(rcptCommand(recipient)));
    }

    /** The verb of the command in flight or last answered: RSET, MAIL or RCPT. */
    String verb() {
        return step.name();
    }

    private void onReply(Step answered, SmtpReply reply) {
        if (refused) {
            return; // read and ignored: the refusal before it decided
        }
        step = answered;
        switch (answered) {
            case RSET:
                if (!reply.isPositive()) {
                    refuse(reply);
                } else if (!pipelined) {
                    send(Step.MAIL, List.of(mailFrom()));
                }
                break;
            case MAIL:
                if (!reply.isPositive()) {
                    refuse(reply);
                } else if (!pipelined) {
                    listener.mailAccepted(this);
                }
                break;
            case RCPT:
                listener.rcptReplied(this, reply);
                break;
        }
    }

    private void refuse(SmtpReply reply) {
        refused = true;
        listener.refused(this, reply);
    }

    private SmtpConnection.Command mailFrom() {
        return command(Step.MAIL, "MAIL FROM:<" + sender.map(Object::toString).orElse("") + ">");
    }

    private SmtpConnection.Command rcptCommand(EmailAddress recipient) {
        return command(Step.RCPT, "RCPT TO:<" + recipient + ">");
    }

    private SmtpConnection.Command command(Step command, String line) {
        return new SmtpConnection.Command(line, command.stage, reply -> onReply(command, reply));
    }

    private void send(Step first, List<SmtpConnection.Command> group) {
        step = first;
        connection.send(group);
    }
}
