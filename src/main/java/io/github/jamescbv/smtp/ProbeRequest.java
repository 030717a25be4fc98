package io.github.jamescbv.smtp;

import io.github.jamescbv.core.DialogListener;

import io.github.jamescbv.core.EmailAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What one probe does: where to connect, what to say, and how long each step may take. */
public final class ProbeRequest {
    private final InetSocketAddress target;
    private final String mxHost;
    private final String heloName;
    private final Optional<EmailAddress> mailFrom;
    private final EmailAddress recipient;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final long deadlineNanos;
    private final DialogListener listener;
    private final List<EmailAddress> followUps;

    /**
     * @param target         the IP address and port to connect to (already resolved, already allowed)
     * @param mxHost         the host name, for logs and the verdict
     * @param heloName       our name in EHLO/HELO
     * @param mailFrom       the probe sender; empty = the null sender {@code <>}
     * @param recipient      the address being verified, in RCPT TO
     * @param connectTimeout bound on the TCP connect
     * @param commandTimeout bound on each reply (the greeting included)
     * @param deadlineNanos  {@link System#nanoTime()} value after which the probe gives up whatever the step
     * @param listener       receives the dialog, one line per event; {@link DialogListener#NONE} to ignore
     */
    public ProbeRequest(InetSocketAddress target, String mxHost, String heloName, Optional<EmailAddress> mailFrom,
                        EmailAddress recipient, Duration connectTimeout, Duration commandTimeout,
                        long deadlineNanos, DialogListener listener) {
        this(target, mxHost, heloName, mailFrom, recipient, connectTimeout, commandTimeout, deadlineNanos, listener,
            List.of());
    }

    /**
     * As the other constructor, with follow-up recipients.
     *
     * @param followUps recipients asked after {@code recipient} got a 2xx, each in a transaction of its own
     *                  (see {@link #followUps()}); empty for none
     */
    public ProbeRequest(InetSocketAddress target, String mxHost, String heloName, Optional<EmailAddress> mailFrom,
                        EmailAddress recipient, Duration connectTimeout, Duration commandTimeout,
                        long deadlineNanos, DialogListener listener, List<EmailAddress> followUps) {
        this.target = Objects.requireNonNull(target, "target");
        this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
        this.heloName = Objects.requireNonNull(heloName, "heloName");
        this.mailFrom = Objects.requireNonNull(mailFrom, "mailFrom");
        this.recipient = Objects.requireNonNull(recipient, "recipient");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
        this.deadlineNanos = deadlineNanos;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.followUps = List.copyOf(followUps);
    }

    public InetSocketAddress target() { return target; }
    public String mxHost() { return mxHost; }
    public String heloName() { return heloName; }
    public Optional<EmailAddress> mailFrom() { return mailFrom; }
    public EmailAddress recipient() { return recipient; }
    public Duration connectTimeout() { return connectTimeout; }
    public Duration commandTimeout() { return commandTimeout; }
    public long deadlineNanos() { return deadlineNanos; }
    public DialogListener listener() { return listener; }

    /**
     * Recipients asked only once {@link #recipient()} has been accepted, to learn about its
     * domain rather than the address: each in a transaction of its own on the same connection
     * (RSET, MAIL FROM, RCPT TO), so that a rejection of one cannot colour the next; if the
     * server drops the connection, the rest on one second connection. Their replies arrive
     * through {@link ProbeOutcome#followUps()} and never change the outcome itself.
     */
    public List<EmailAddress> followUps() { return followUps; }
}
