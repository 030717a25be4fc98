package io.github.jamescbv.smtp;

import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection of a probe, up to the point where mail transactions can run and from the
 * point where they are over: connect, the 220 greeting, EHLO (HELO if EHLO gets a 5xx) and the
 * {@link Capabilities} it announces, then QUIT and close. In between it carries the commands of
 * {@link Transaction}s, each reply to the handler of its command; its {@link Owner} decides which
 * transactions run, and hears everything else.
 *
 * <p><b>Pipelining</b> (RFC 2920): a transaction may send several commands as one group, in one
 * write; their handlers wait in a queue, and the replies, which come in order, go to them in
 * order, each bounded by the reply timer and each deciding at its own command's stage. Replies of
 * a group may arrive in one read; anything beyond the replies owed is still a protocol error. When
 * the owner takes leave while replies of a group are owed, they are read and ignored, then QUIT.
 *
 * <p><b>STARTTLS</b> (RFC 3207), when the route's {@link TlsPolicy} asks for it and EHLO offers
 * it: STARTTLS, its 220, the TLS handshake (a Netty {@link SslHandler} from the {@link TlsClient}
 * put in front of this handler, bounded like a reply), then EHLO again inside TLS, whose
 * capabilities are the ones that count; everything after reads through the same
 * {@link ReplyParser} and its limits. Bytes that came with the 220, before the handshake, are a
 * protocol error: a server, or someone between, must not slip clear text into what would be read
 * as the TLS session (the STARTTLS command injection of CVE-2011-0411, seen from the client). A
 * failure from STARTTLS to the end of the handshake goes to {@link Owner#tlsFailed}, which decides
 * whether the address is asked again in clear text.
 *
 * <p>Its time limits are a {@link DialogTimer}'s, its events go to a {@link Transcript}; both, and
 * the {@link Owner}, belong to whoever holds the connection now ({@link #attach}), not to the
 * connection: a connection kept for a later probe serves it with that probe's deadline, timers
 * and listener. Everything runs on the channel's I/O thread, so the state needs no locks; only
 * {@link #stage} is read from elsewhere. One instance per connection.
 *
 * <p>Every path ends in {@code close}: after the QUIT exchange (or at once after a timeout, a
 * protocol error or a broken connection, or when the owner says so), connect failures on the spot.
 */
final class SmtpConnection extends ChannelInboundHandlerAdapter {
    // The session's logger: operators enable the probe dialog under the name they know.
    private static final Logger LOG = LoggerFactory.getLogger(ProbeSession.class);

    /** Whom the connection works for: told when transactions can begin, and what went wrong. */
    interface Owner {
        /** Whether the connection is still wanted now that it is up; if not (aborted while connecting) it closes. */
        boolean wanted();

        /** The greeting and EHLO or HELO were accepted: transactions can begin. */
        void ready(Capabilities capabilities);

        /** The greeting, EHLO or HELO got another reply than the success needed to go on; {@link #stage} says which. */
        void openingRefused(SmtpReply reply);

        /**
         * What the connection waited for ended without a reply, as the outcome it would be if it
         * decided the probe: a timeout, a protocol error, a connect failure, an error of ours, or
         * {@link Failure#CLOSED} when the connection broke. Never once the connection is quitting.
         */
        void failed(ProbeOutcome failure);

        /**
         * TLS could not be started: required ({@link TlsPolicy#ENCRYPT}) and not offered, STARTTLS
         * refused (the reply, at stage TLS), or a failure from STARTTLS to the end of the handshake
         * (at stage TLS: a timeout, a broken connection, {@link Failure#TLS} for the handshake
         * itself). The connection takes leave by itself: QUIT when it still can, else it closes.
         */
        void tlsFailed(ProbeOutcome failure);

        /** The channel closed; the last event of the connection. */
        void closed();
    }

    /** Receives the reply to the command it sent through {@link #send}. */
    @FunctionalInterface
    interface ReplyHandler {
        void onReply(SmtpReply reply);
    }

    /** A transaction's command: its line, the stage an outcome decided by its reply reports (null keeps the current one), who gets the reply. */
    static final class Command {
        final String line;
        final Stage stage;
        final ReplyHandler handler;

        Command(String line, Stage stage, ReplyHandler handler) {
            this.line = line;
            this.stage = stage;
            this.handler = handler;
        }
    }

    private final Route route;
    private final TlsClient tls;
    private final ReplyParser parser;
    // The holder's: replaced by attach(), on the I/O thread (or before the connect hands the channel to it).
    private Owner owner;
    private Transcript transcript;
    private DialogTimer timer;
    private ChannelHandlerContext ctx;
    // The stage for outcomes: written on the I/O thread, read by the owner's abort from the closing thread.
    private volatile Stage stage = Stage.CONNECT;
    private ConnectionStep step = ConnectionStep.CONNECTING;
    /** The transaction's commands in flight, oldest first: each reply goes to the head's handler. */
    private final ArrayDeque<Command> inFlight = new ArrayDeque<>();
    /** Whether the TLS handshake is done: the session is protected, and STARTTLS is never asked again. */
    private boolean inTls;
    /** See {@link #protection()}. */
    private String protection = "";
    /** What the last EHLO announced; see {@link #capabilities()}. */
    private Capabilities capabilities = Capabilities.NONE;
    /** When the command in flight was sent, on the holder's clock; see {@link #fastestReplyNanos()}. */
    private long sentAt;
    private long fastestReply = Long.MAX_VALUE;

    /**
     * A connection not opened yet; {@link #attach} its first holder before {@link #connect}.
     *
     * @param tls makes the TLS handlers; used only when the route's policy asks for TLS
     */
    SmtpConnection(Route route, TlsClient tls) {
        this.route = route;
        this.tls = tls;
        this.parser = new ReplyParser(line -> this.transcript.line("<- " + line));
    }

    /**
     * Hands the connection to a holder: from now on {@code owner} hears its events, {@code limits}
     * bound its waits and {@code transcript} tells its dialog. A wait armed by the previous holder
     * is cancelled.
     */
    void attach(Owner owner, ProbeLimits limits, Transcript transcript) {
        if (timer != null) {
            timer.cancel();
        }
        this.owner = owner;
        this.transcript = transcript;
        this.timer = new DialogTimer(limits, limits.clock()::nanoTime, this::timerTaskFailed);
    }

    Route route() {
        return route;
    }

    /** The I/O thread of the connection, once it is connecting. */
    EventExecutor executor() {
        return ctx.executor();
    }

    /** Completes when the channel has closed. */
    ChannelFuture closeFuture() {
        return ctx.channel().closeFuture();
    }

    /**
     * The quickest round trip of a command so far (EHLO, RSET, MAIL FROM...), in nanoseconds of the
     * holders' clocks; {@link Long#MAX_VALUE} before any. What a prompt reply of this remote takes.
     */
    long fastestReplyNanos() {
        return fastestReply;
    }

    /** The extensions the server announced, inside TLS when the connection is; {@link Capabilities#NONE} before EHLO. */
    Capabilities capabilities() {
        return capabilities;
    }

    /** Open and past its opening, no reply owed: ready for a command, or for QUIT. On the I/O thread. */
    boolean isOpen() {
        return ctx != null && ctx.channel().isActive() && inFlight.isEmpty()
            && (step == ConnectionStep.TRANSACTION || step == ConnectionStep.IDLE);
    }

    /** Waiting between probes: nothing in flight, and anything the remote says now ends the connection. On the I/O thread. */
    void idle() {
        timer.cancel();
        step = ConnectionStep.IDLE;
    }

    /** The stage an outcome decided now would report: that of the command in flight. */
    Stage stage() {
        return stage;
    }

    /**
     * How the connection is protected now: "" before it is up, {@link Verdict#NO_TLS} in clear
     * text, the TLS protocol and cipher suite once the handshake is done. On the I/O thread.
     */
    String protection() {
        return protection;
    }

    /**
     * Starts the connection, with the connect timeout capped by the deadline.
     *
     * @return the connect future, or null when the deadline had already passed (the owner has been told)
     */
    ChannelFuture connect(Bootstrap base) {
        int connectMillis = timer.connectTimeoutMillis();
        if (connectMillis == 0) {
            transcript.line("timeout: " + DialogTimer.TOTAL_TIMEOUT + " before connecting");
            owner.failed(ProbeOutcome.failed(Stage.CONNECT, Failure.TIMEOUT, DialogTimer.TOTAL_TIMEOUT));
            return null;
        }
        transcript.line("connect " + transcript.peer());
        ChannelFuture future = base.clone()
            .handler(this)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
            .connect(route.address());
        future.addListener((ChannelFuture f) -> {
            try {
                connectDone(f);
            } catch (RuntimeException e) {
                internalError(e);
                f.channel().close();
            }
        });
        return future;
    }

    /**
     * Sends a transaction's command; its reply goes to {@code handler}.
     *
     * @param commandStage the stage an outcome decided by its reply reports; null keeps the current one
     */
    void send(String command, Stage commandStage, ReplyHandler handler) {
        send(List.of(new Command(command, commandStage, handler)));
    }

    /**
     * Sends a transaction's commands as one group, in one write: pipelined (RFC 2920) when there
     * are several, which only a server that announced PIPELINING may get. Each reply goes to its
     * command's handler, in order. Only when no reply is owed: a group is sent after the last reply.
     */
    void send(List<Command> group) {
        if (!inFlight.isEmpty()) {
            throw new IllegalStateException("a reply is still owed to " + CommandLine.verb(inFlight.peek().line));
        }
        inFlight.addAll(group);
        send(ConnectionStep.TRANSACTION, group);
    }

    /**
     * Takes leave politely: QUIT, then close on the 221 (or after a bounded wait for it). Replies
     * still owed to a pipelined group come first: they are read and ignored, then QUIT (within the
     * same bounded wait each), so that the 221 is not mistaken for one of them.
     */
    void quit() {
        step = ConnectionStep.QUIT;
        timer.cancel();
        if (!inFlight.isEmpty()) {
            timer.awaitQuitReply(ctx, CommandLine.verb(inFlight.peek().line), this::quitTimeout);
            return;
        }
        transcript.line("-> QUIT");
        ctx.writeAndFlush(CommandLine.encode(ctx.alloc(), "QUIT")).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                close();
            }
        });
        timer.awaitQuitReply(ctx, "QUIT", this::quitTimeout);
    }

    private void quitTimeout(String detail) {
        transcript.line("timeout: " + detail);
        close();
    }

    /** Closes at once, without QUIT; the owner hears of it through {@link Owner#closed}. */
    void close() {
        step = ConnectionStep.DONE;
        timer.cancel();
        ctx.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    private void connectDone(ChannelFuture f) {
        if (f.isSuccess()) {
            return; // channelActive takes over
        }
        step = ConnectionStep.DONE;
        Throwable cause = f.cause();
        if (cause instanceof ConnectTimeoutException) {
            ProbeOutcome timedOut = timer.connectTimedOut();
            transcript.line("timeout: " + timedOut.detail());
            owner.failed(timedOut);
        } else {
            String detail = cause == null ? "connect cancelled" : FailureDetail.connectFailure(cause);
            transcript.line("connect failed: " + detail);
            owner.failed(ProbeOutcome.failed(Stage.CONNECT, Failure.CONNECT, detail));
        }
        // Netty closes a channel whose connect failed; closing again is harmless and makes sure.
        f.channel().close();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!owner.wanted()) { // aborted while connecting
            close();
            return;
        }
        transcript.line("connected");
        protection = Verdict.NO_TLS;
        step = ConnectionStep.GREETING;
        stage = Stage.GREETING;
        awaitReply();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        try {
            if (step == ConnectionStep.IDLE) {
                spokeWhileIdle(in);
                return;
            }
            while (in.isReadable() && (step.awaitsReply() || step == ConnectionStep.QUIT)) {
                SmtpReply reply = parser.offer(in.readByte());
                if (reply == null) {
                    continue;
                }
                // Replies owed to commands sent before this reply was read: a pipelined group's may share a read.
                boolean moreOwed = inFlight.size() > 1;
                boolean wasAwaiting = step.awaitsReply();
                onReply(reply);
                if (moreOwed) {
                    continue;
                }
                if (!wasAwaiting || !step.awaitsReply()) {
                    break; // done with this connection: whatever follows in this read is ignored
                }
                if (in.isReadable()) {
                    // These bytes were sent before the command we just wrote could have arrived:
                    // the server is out of step, and no later reply could be trusted to be ours.
                    // After the 220 to STARTTLS they would be clear text posing as part of the TLS
                    // session: never read, whatever they say.
                    protocolError(step == ConnectionStep.HANDSHAKE
                        ? "data sent after the reply to STARTTLS, before the TLS handshake"
                        : "reply data sent before our command");
                }
            }
        } catch (SmtpProtocolException e) {
            protocolError(e.getMessage());
        } finally {
            in.release();
        }
    }

    /**
     * The remote spoke while nobody asked: a 421 before it closes an idle connection (Postfix on
     * its timeout), or anything else out of step. Either way the connection is over: whatever
     * reply it makes is told, and the connection closed without QUIT.
     */
    private void spokeWhileIdle(ByteBuf in) {
        try {
            while (in.isReadable() && parser.offer(in.readByte()) == null) {
                // the parser tells each complete line to the transcript
            }
        } catch (SmtpProtocolException e) {
            transcript.line("protocol error while idle: " + e.getMessage());
        }
        transcript.line("the remote spoke while the connection was idle: closing");
        close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.cancel();
        transcript.line("closed");
        if (step.awaitsReply()) {
            String detail = parser.isPartial() ? "connection closed in the middle of a reply"
                : "connection closed by the remote";
            report(ProbeOutcome.failed(stage, Failure.CLOSED, detail));
        }
        step = ConnectionStep.DONE;
        owner.closed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (step == ConnectionStep.HANDSHAKE && FailureDetail.remoteFault(cause)) {
            handshakeFailed(FailureDetail.remoteFailure(cause));
            return;
        }
        if (step.awaitsReply()) {
            if (FailureDetail.remoteFault(cause)) {
                String detail = "connection error: " + FailureDetail.remoteFailure(cause);
                transcript.line(detail);
                report(ProbeOutcome.failed(stage, Failure.CLOSED, detail));
            } else {
                internalError(cause);
            }
        }
        close();
    }

    private void onReply(SmtpReply reply) {
        if (step != ConnectionStep.GREETING && step != ConnectionStep.QUIT) {
            fastestReply = Math.min(fastestReply, timer.now() - sentAt);
        }
        switch (step) {
            case GREETING:
                if (reply.isPositive()) {
                    send(ConnectionStep.EHLO, null, "EHLO " + route.heloName());
                } else {
                    owner.openingRefused(reply);
                }
                break;
            case EHLO:
                if (reply.isPermanent()) { // an old server without ESMTP: RFC 5321 3.2 says fall back to HELO
                    send(ConnectionStep.HELO, null, "HELO " + route.heloName());
                } else if (reply.isPositive()) {
                    greeted(Capabilities.of(reply));
                } else {
                    owner.openingRefused(reply);
                }
                break;
            case HELO:
                if (reply.isPositive()) {
                    greeted(Capabilities.NONE);
                } else {
                    owner.openingRefused(reply);
                }
                break;
            case STARTTLS:
                // RFC 3207 names 220; any 2xx is taken as the go-ahead it means.
                if (reply.isPositive()) {
                    startHandshake();
                } else {
                    startTlsRefused(reply);
                }
                break;
            case TRANSACTION:
                transactionReply(reply);
                break;
            case QUIT:
                if (inFlight.poll() == null) {
                    close(); // the reply to QUIT
                } else {
                    quit(); // one owed to the group, ignored: wait for the next, or now QUIT
                }
                break;
            default:
                break;
        }
    }

    /** The reply to the oldest command in flight goes to its handler; then the next one's is awaited, at its stage. */
    private void transactionReply(SmtpReply reply) {
        Command answered = inFlight.poll();
        boolean moreOwed = !inFlight.isEmpty();
        answered.handler.onReply(reply);
        if (moreOwed && step == ConnectionStep.TRANSACTION) {
            Command next = inFlight.peek();
            if (next.stage != null) {
                stage = next.stage; // from here on, a failure belongs to this command
            }
            awaitReply();
        }
    }

    /** EHLO or HELO was accepted: STARTTLS first if the policy asks for it and it is not done, else transactions can begin. */
    private void greeted(Capabilities capabilities) {
        this.capabilities = capabilities;
        if (inTls || route.tls() == TlsPolicy.NONE) {
            owner.ready(capabilities);
        } else if (capabilities.startTls()) {
            send(ConnectionStep.STARTTLS, null, "STARTTLS");
        } else if (route.tls() == TlsPolicy.ENCRYPT) {
            stage = Stage.TLS;
            String detail = step == ConnectionStep.HELO ? "TLS required, and the remote speaks HELO only"
                : "TLS required, and the remote does not offer STARTTLS";
            transcript.line(detail);
            owner.tlsFailed(ProbeOutcome.failed(Stage.TLS, Failure.TLS, detail));
            quit();
        } else {
            transcript.line("no STARTTLS offered: clear text");
            owner.ready(capabilities);
        }
    }

    /** The reply to STARTTLS was not a 2xx: the connection is still in clear text, and can say QUIT (unless 421). */
    private void startTlsRefused(SmtpReply reply) {
        owner.tlsFailed(ProbeOutcome.replied(Stage.TLS, reply));
        if (reply.code() == 421) {
            close(); // RFC 5321 3.8: the server is closing the channel; nobody would read a QUIT
        } else {
            quit();
        }
    }

    /** The server said 220 to STARTTLS: a TLS handler goes in front of this one, and the handshake begins. */
    private void startHandshake() {
        step = ConnectionStep.HANDSHAKE;
        timer.cancel();
        if (!timer.awaitHandshake(ctx, this::timeout)) {
            return;
        }
        transcript.line("TLS handshake");
        SslHandler ssl = tls.handler(route.address());
        ssl.handshakeFuture().addListener(f -> {
            try {
                handshakeDone(ssl, f);
            } catch (RuntimeException e) {
                internalError(e);
                close();
            }
        });
        ctx.pipeline().addFirst(ssl);
    }

    private void handshakeDone(SslHandler ssl, Future<?> f) {
        if (step != ConnectionStep.HANDSHAKE) {
            return; // it timed out, or failed through another path, already
        }
        if (!f.isSuccess()) {
            handshakeFailed(FailureDetail.remoteFailure(f.cause()));
            return;
        }
        inTls = true;
        protection = TlsClient.describe(ssl.engine().getSession());
        transcript.line("TLS established: " + protection);
        // RFC 3207 4.2: what the server said before TLS is forgotten; ask again.
        send(ConnectionStep.EHLO, null, "EHLO " + route.heloName());
    }

    /** The handshake failed: nothing more can be said on this connection, not even QUIT. */
    private void handshakeFailed(String why) {
        String detail = "TLS handshake failed: " + why;
        transcript.line(detail);
        owner.tlsFailed(ProbeOutcome.failed(Stage.TLS, Failure.TLS, detail));
        close();
    }

    /** An opening command (EHLO, HELO, STARTTLS): its reply goes to {@link #onReply} through the step. */
    private void send(ConnectionStep next, Stage commandStage, String command) {
        send(next, List.of(new Command(command, commandStage, null)));
    }

    /** Sends {@code group} in one write; the stage and the reply timer are those of its first command. */
    private void send(ConnectionStep next, List<Command> group) {
        step = next;
        Command first = group.get(0);
        Stage nextStage = first.stage != null ? first.stage : next.stage;
        if (nextStage != null) {
            stage = nextStage; // from here on, a failure belongs to this command
        }
        timer.cancel();
        for (Command command : group) {
            try {
                CommandLine.check(command.line);
            } catch (IllegalArgumentException e) {
                String detail = "refused to send " + CommandLine.verb(command.line) + ": " + e.getMessage();
                transcript.line(detail);
                owner.failed(ProbeOutcome.failed(stage, Failure.INTERNAL, detail));
                close();
                return;
            }
        }
        if (!awaitReply()) { // the deadline has passed: no point in asking
            return;
        }
        ByteBuf out = ctx.alloc().buffer();
        for (Command command : group) {
            transcript.line("-> " + command.line);
            CommandLine.encodeInto(out, command.line);
        }
        sentAt = timer.now();
        ctx.writeAndFlush(out).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                exceptionCaught(ctx, f.cause());
            }
        });
    }

    /** @return false when the deadline has already passed (the wait then ended as a timeout) */
    private boolean awaitReply() {
        return timer.awaitReply(ctx, this::timeout);
    }

    private void timeout(String detail) {
        if (step.awaitsReply()) {
            transcript.line("timeout: " + detail);
            report(ProbeOutcome.failed(stage, Failure.TIMEOUT, detail));
        }
        close(); // no QUIT: a server that does not answer would not answer that either
    }

    private void protocolError(String detail) {
        if (step.awaitsReply()) {
            transcript.line("protocol error: " + detail);
            report(ProbeOutcome.failed(stage, Failure.PROTOCOL, detail));
        }
        close();
    }

    /** A failure of what the connection waited for; while TLS is being started, a failure of STARTTLS. */
    private void report(ProbeOutcome failure) {
        if (step.startingTls()) {
            owner.tlsFailed(failure);
        } else {
            owner.failed(failure);
        }
    }

    private void timerTaskFailed(ChannelHandlerContext ctx, RuntimeException e) {
        internalError(e);
        close();
    }

    private void internalError(Throwable cause) {
        LOG.warn("{}: unexpected error in SMTP probe", transcript.peer(), cause);
        String detail = "unexpected error: " + FailureDetail.message(cause);
        transcript.line(detail);
        if (step.awaitsReply()) {
            owner.failed(ProbeOutcome.failed(stage, Failure.INTERNAL, detail));
        }
    }
}
