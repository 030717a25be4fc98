package io.github.jamescbv.smtp;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one probe does over one {@link SmtpConnection}: its first transaction asks the recipient
 * (MAIL FROM, RCPT TO) and decides the outcome, unless the opening of the connection already did;
 * then QUIT. What it finds out goes to {@link SessionResults}.
 *
 * <p>Everything except {@link #abort} runs on the connection's I/O thread, so the state needs no
 * locks; the outcome is a {@link CompletableFuture}, completed once, by whichever of the dialog or
 * {@link #abort} gets there first. The outcome never waits for the QUIT. One instance per
 * connection.
 *
 * <p><b>Follow-ups.</b> When the request names follow-up recipients and the address gets a 2xx,
 * the outcome is delivered at once and the connection carries one more transaction for each
 * instead of quitting: RSET, MAIL FROM, RCPT TO, with the same reply timer and deadline. Their
 * replies, or why there were none, go to the shared {@link FollowUps}, never to the outcome. If
 * the server drops the connection meanwhile (closes, resets, or says 421; some servers hang up
 * after a 5xx), one second session, {@linkplain SessionResults#secondConnection() follow-ups
 * only}, asks the rest on a new connection to the same address; if that one fails too, the rest
 * stay unanswered. A timeout or a protocol error gives the rest up at once: a server that stalled
 * or garbled once is not asked again.
 *
 * <p><b>TLS.</b> The connection starts TLS as the route's {@link TlsPolicy} says. When that fails
 * under {@link TlsPolicy#MAY} (STARTTLS refused, the handshake broken, stalled or cut), the probe
 * asks the same address once more on a new connection in clear text, with the same deadline,
 * as Postfix does for its probes; that session decides the outcome. Under
 * {@link TlsPolicy#ENCRYPT} the failure is the outcome, at stage TLS. The second connection of the
 * follow-ups takes the route of the session that got the pass (in TLS if it was, in clear text
 * after a retry) and is never retried: if its TLS fails, the follow-ups still waiting are given up.
 *
 * <p><b>Kept connections.</b> A probe may be handed a connection an earlier probe to the same
 * route kept ({@link ConnectionPool}, {@link KeptConnection}): it begins at MAIL FROM (the RSET was
 * said when the connection was parked), in TLS if the connection is. Until its verdict, anything
 * that says the connection is no longer good (it closed, timed out or went out of step, a 421, or
 * a refused MAIL FROM, which a connection that took the same before has no reason to get) sends
 * the probe to a new connection to the same address, within the same deadline, at no cost to its
 * verdict; the transcript says so. After its verdict the probe hands its connection back to the
 * pool ({@link #leave}) rather than QUIT, when reuse is on and the connection may serve again; a
 * connection that carried follow-ups is never kept, nor the second connection of the follow-ups:
 * their random and postmaster recipients are theirs, and a connection that asked them has done
 * enough.
 *
 * <p><b>Pipelining.</b> When the route allows it and the server announced PIPELINING (after TLS:
 * in the EHLO inside it), each transaction goes out as one group ({@link Transaction#pipelined}),
 * which saves a round trip per transaction; what decides is the same.
 */
final class ProbeSession implements SmtpConnection.Owner, Transaction.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeSession.class);

    /** Where a session's connections come from: the client of the probes. */
    interface Connections {
        /**
         * Opens a new connection for the session: how a probe gets its clear-text retry, its one
         * extra connection for the follow-ups, or a new connection when a kept one failed it.
         */
        void open(ProbeSession session);

        /** The connections kept between probes. */
        ConnectionPool pool();

        /** The TLS client of the probes, for STARTTLS when the route's policy asks for it. */
        TlsClient tls();
    }

    private final ProbeRequest request;
    private final SessionResults results;
    private final Connections connections;
    private final Transcript transcript;
    /** Set by {@link #connect} or {@link #resume}, on the thread that then hands it to the I/O thread. */
    private volatile SmtpConnection connection;
    private KeptConnection kept;
    /** Whether the connection was kept from an earlier probe, and this probe's verdict not yet known. */
    private boolean onKeptConnection;
    /**
     * Whether the follow-up transactions have begun. Until then a failure decides the outcome
     * (on the second connection: gives the follow-ups up, naming the stage); from then on it only
     * ends the follow-ups.
     */
    private boolean followingUp;
    /** Set when the connection broke during the follow-ups: {@link #closed} asks the rest elsewhere. */
    private String dropReason;
    /** Whether transactions go out as groups: the route allows it and the server announced PIPELINING. */
    private boolean pipelining;

    /** The session of a probe's (first) connection; {@code connections} gives it that one and its others. */
    ProbeSession(ProbeRequest request, Connections connections) {
        this(request, new SessionResults(request.query().followUps()), connections);
    }

    private ProbeSession(ProbeRequest request, SessionResults results, Connections connections) {
        this.request = request;
        this.results = results;
        this.connections = connections;
        this.transcript = new Transcript(request.route(), request.listener());
    }

    /** Completes exactly once, never exceptionally; on the I/O thread except after {@link #abort}. */
    CompletableFuture<ProbeOutcome> outcome() {
        return results.outcome();
    }

    /** Completes when both the outcome and the follow-ups are known: the probe needs nothing more. */
    CompletableFuture<Void> finished() {
        return results.finished();
    }

    /**
     * Starts a new connection, with the connect timeout capped by the deadline, counted by the pool
     * for the probe's domain from now on.
     *
     * @return the connect future, or null when the deadline had already passed (the outcome is then complete)
     */
    ChannelFuture connect(Bootstrap base) {
        SmtpConnection fresh = new SmtpConnection(request.route(), connections.tls());
        fresh.attach(this, request.limits(), transcript);
        kept = new KeptConnection(fresh, connections.pool());
        connection = fresh;
        connections.pool().opened(kept, request.domain());
        ChannelFuture connect;
        try {
            connect = fresh.connect(base);
        } catch (RuntimeException e) {
            connections.pool().closed(kept);
            throw e;
        }
        if (connect == null) {
            connections.pool().closed(kept);
        }
        return connect;
    }

    /** The pool's record of the connection {@link #connect} started. */
    KeptConnection kept() {
        return kept;
    }

    /**
     * Takes over a kept connection to the route, on its I/O thread: this probe begins at MAIL FROM,
     * with its own deadline, timers and transcript. A connection that closed meanwhile sends it to a
     * new one.
     */
    void resume(KeptConnection k) {
        kept = k;
        connection = k.connection();
        k.taken();
        if (!connection.isOpen()) {
            freshConnection("it closed while idle");
            return;
        }
        if (!wanted()) { // aborted while it waited for the connection
            k.leave();
            return;
        }
        onKeptConnection = true;
        connections.pool().reusedOnce();
        connection.attach(this, request.limits(), transcript);
        kept.probeStarts();
        transcript.line("reuse " + transcript.peer() + ": " + kept.describe()
            + (connection.protection().equals(Verdict.NO_TLS) ? "" : ", in TLS"));
        firstTransaction(connection.capabilities());
    }

    /**
     * The kept connection this probe was to have is no good: a new connection to the same address
     * asks instead, with the same deadline and results (it decides the outcome, as this one would
     * have). Any thread.
     */
    void freshConnection(String why) {
        onKeptConnection = false;
        transcript.line("kept connection unusable (" + why + "): a new connection");
        connections.open(new ProbeSession(request, results, connections));
    }

    /**
     * Ends the probe from outside (the client is closing): the outcome completes now, as a
     * failure, or if it was known already, the follow-ups still waiting are given up.
     */
    void abort(String detail) {
        SmtpConnection c = connection;
        if (results.abort(c == null ? Stage.CONNECT : c.stage(), detail)) {
            transcript.line("aborted: " + detail);
        }
    }

    // ---- the connection ----

    @Override
    public boolean wanted() {
        return !results.settled();
    }

    // STARTTLS was the connection's business: these are the capabilities after it.
    @Override
    public void ready(Capabilities capabilities) {
        kept.probeStarts();
        firstTransaction(capabilities);
    }

    /** The probe's own transaction, pipelined when the route allows it and the server announced PIPELINING. */
    private void firstTransaction(Capabilities capabilities) {
        pipelining = request.route().pipelining() && capabilities.pipelining();
        if (pipelining) {
            beginPipelined(false);
        } else {
            Transaction.begin(connection, request.query().mailFrom(), this);
        }
    }

    @Override
    public void openingRefused(SmtpReply reply) {
        decide(reply);
    }

    @Override
    public void failed(ProbeOutcome failure) {
        Failure kind = failure.failure().orElse(null);
        if (onKeptConnection && (kind == Failure.CLOSED || kind == Failure.PROTOCOL || kind == Failure.TIMEOUT)
            && !request.limits().expired()) {
            freshConnection(failure.detail()); // the connection closes itself
        } else if (!followingUp) {
            finish(failure);
        } else if (failure.failure().orElse(null) == Failure.CLOSED) {
            dropReason = failure.detail(); // closed(), which follows, takes it from here
        } else {
            results.giveUp(failure.detail());
        }
    }

    @Override
    public void tlsFailed(ProbeOutcome failure) {
        // No retry once the deadline has passed: the TLS failure is then what ended the probe.
        if (request.route().tls() != TlsPolicy.MAY || results.secondConnection() || request.limits().expired()) {
            failed(failure);
            return;
        }
        String why = failure.reply().map(r -> "STARTTLS answered " + r).orElse(failure.detail());
        transcript.line("again in clear text (" + why + ")");
        // The same results: this retry decides the outcome, as this session would have.
        connections.open(new ProbeSession(request.withRoute(request.route().withTls(TlsPolicy.NONE)), results,
            connections));
    }

    @Override
    public void closed() {
        if (dropReason != null) {
            followUpsDropped(dropReason);
        }
    }

    // ---- its transactions ----

    @Override
    public void mailAccepted(Transaction transaction) {
        EmailAddress next = nextRecipient();
        if (next == null) {
            connection.quit();
        } else {
            transaction.rcptTo(next);
        }
    }

    @Override
    public void refused(Transaction transaction, SmtpReply reply) {
        if (followingUp) {
            followUpsRefused(transaction, reply);
        } else if (onKeptConnection) {
            leaveUnusable(reply);
            freshConnection("MAIL FROM answered " + reply);
        } else {
            decide(reply);
        }
    }

    @Override
    public void rcptReplied(Transaction transaction, SmtpReply reply) {
        if (followingUp || results.secondConnection()) {
            followUpAnswered(transaction, reply);
        } else if (onKeptConnection && reply.code() == 421) {
            leaveUnusable(reply);
            freshConnection("RCPT TO answered " + reply);
        } else {
            decide(reply);
        }
    }

    /** The reply decides the probe: report it now, then go on with the follow-ups or take leave. */
    private void decide(SmtpReply reply) {
        Stage stage = connection.stage();
        boolean accepted = stage == Stage.RCPT && reply.isPositive();
        boolean inTransaction = stage == Stage.MAIL || stage == Stage.RCPT;
        onKeptConnection = false;
        if (inTransaction && !reply.isPositive()) {
            kept.refused();
        }
        ProbeOutcome outcome = ProbeOutcome.replied(stage, reply);
        if (reply.code() == 421) {
            finish(outcome, accepted);
            connection.close(); // RFC 5321 3.8: the server is closing the channel; nobody would read a QUIT
        } else if (accepted && results.followUpsRemain()) {
            finish(outcome, true);
            followUp();
        } else if (inTransaction && !results.secondConnection()) {
            // Parked before the verdict goes out: a probe its caller starts next finds the connection.
            leave();
            finish(outcome, accepted);
        } else {
            finish(outcome, accepted);
            connection.quit();
        }
    }

    /**
     * The verdict is in: the connection goes back to the pool for the next probe to its route, when
     * reuse is on and it may serve again (the transcript says why not, else), or takes leave.
     */
    private void leave() {
        if (!connection.isOpen()) { // a pipelined group's reply is still owed: QUIT reads it first
            connection.quit();
            return;
        }
        ReuseSettings reuse = connections.pool().settings();
        String whyNot = reuse.enabled() ? kept.whyNotKept(reuse) : null;
        if (!reuse.enabled() || whyNot != null) {
            if (whyNot != null) {
                transcript.line("not kept: " + whyNot);
            }
            connection.quit();
        } else {
            kept.park(transcript, request.limits().commandTimeout());
        }
    }

    /** A kept connection that failed this probe takes leave: at once on a 421 (the remote is closing it), else with QUIT. */
    private void leaveUnusable(SmtpReply reply) {
        if (reply.code() == 421) {
            connection.close();
        } else {
            connection.quit();
        }
    }

    /** The next follow-up's transaction. */
    private void followUp() {
        followingUp = true;
        if (pipelining) {
            beginPipelined(true);
        } else {
            Transaction.beginAfterAnother(connection, request.query().mailFrom(), this);
        }
    }

    /** A whole transaction in one group, asking {@link #nextRecipient}; QUIT if there is none. */
    private void beginPipelined(boolean afterAnother) {
        EmailAddress next = nextRecipient();
        if (next == null) {
            connection.quit();
        } else {
            Transaction.pipelined(connection, afterAnother, request.query().mailFrom(), next, this);
        }
    }

    /**
     * Whom RCPT TO asks now: the address, or on the follow-ups' turn the next follow-up recipient,
     * null if none is left (the client gave them up meanwhile).
     */
    private EmailAddress nextRecipient() {
        return followingUp || results.secondConnection() ? results.nextFollowUp() : request.query().recipient();
    }

    /** A follow-up recipient's RCPT TO was answered: record it, then the next one or QUIT. */
    private void followUpAnswered(Transaction transaction, SmtpReply reply) {
        if (reply.code() == 421) { // the server is closing, which says nothing about the recipient: ask elsewhere
            dropped("reply to " + transaction.verb() + ": " + reply);
            return;
        }
        results.followUpAnswered(reply);
        if (results.followUpsRemain()) {
            followUp();
        } else {
            connection.quit();
        }
    }

    /**
     * RSET or a follow-up's MAIL FROM was not accepted: the remaining follow-ups cannot be asked
     * on this connection. (On the second connection, a refused greeting, EHLO/HELO or first MAIL
     * FROM goes through {@link #decide} and {@link #finish}, which give them up.)
     */
    private void followUpsRefused(Transaction transaction, SmtpReply reply) {
        String why = "reply to " + transaction.verb() + ": " + reply;
        if (reply.code() == 421) {
            dropped(why);
            return;
        }
        results.giveUp(why);
        connection.quit();
    }

    /** The server is ending this connection during the follow-ups: close, and let closed() carry on. */
    private void dropped(String why) {
        transcript.line("dropped: " + why);
        dropReason = why;
        connection.close();
    }

    /** The connection ended with follow-ups left: a second connection for them, once; then they are given up. */
    private void followUpsDropped(String why) {
        if (!results.followUpsRemain()) {
            return;
        }
        if (results.secondConnection()) {
            results.giveUp(why);
            return;
        }
        transcript.line("second connection for the remaining follow-ups (" + why + ")");
        connections.open(new ProbeSession(request, results.forSecondConnection(), connections));
    }

    private void finish(ProbeOutcome result) {
        finish(result, false);
    }

    /** @param followUpsGoOn whether the follow-ups are asked next (else they are settled as not asked first) */
    private void finish(ProbeOutcome result, boolean followUpsGoOn) {
        if (results.decide(result.withTls(connection.protection()), followUpsGoOn)) {
            LOG.debug("{} outcome: {}", transcript.peer(), result);
        }
    }
}
