package io.github.jamescbv.smtp;

import io.github.jamescbv.core.EmailAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What one probe asks the server: as which sender, about which recipient, and what it asks next. */
public final class ProbeQuery {
    private final Optional<EmailAddress> mailFrom;
    private final EmailAddress recipient;
    private final List<EmailAddress> followUps;

    /**
     * @param mailFrom  the probe sender; empty = the null sender {@code <>}
     * @param recipient the address being verified, in RCPT TO
     * @param followUps recipients asked after {@code recipient} got a 2xx, each in a transaction of its own
     *                  (see {@link #followUps()}); empty for none
     */
    public ProbeQuery(Optional<EmailAddress> mailFrom, EmailAddress recipient, List<EmailAddress> followUps) {
        this.mailFrom = Objects.requireNonNull(mailFrom, "mailFrom");
        this.recipient = Objects.requireNonNull(recipient, "recipient");
        this.followUps = List.copyOf(followUps);
    }

    public Optional<EmailAddress> mailFrom() { return mailFrom; }
    public EmailAddress recipient() { return recipient; }

    /**
     * Recipients asked only once {@link #recipient()} has been accepted, to learn about its
     * domain rather than the address: each in a transaction of its own on the same connection
     * (RSET, MAIL FROM, RCPT TO), so that a rejection of one cannot colour the next; if the
     * server drops the connection, the rest on one second connection. Their replies arrive
     * through {@link ProbeOutcome#followUps()} and never change the outcome itself.
     */
    public List<EmailAddress> followUps() { return followUps; }
}
