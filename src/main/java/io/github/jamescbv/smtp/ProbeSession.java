package io.github.jamescbv.smtp;

import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.github.jamescbv.verify.Durations;
import io.github.jamescbv.verify.EmailAddress;
import io.github.jamescbv.verify.SafeText;
import io.github.jamescbv.verify.Stage;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One probe's connection: the state machine of the callback dialog (greeting, EHLO or HELO,
 * MAIL FROM, RCPT TO, then QUIT), the reply timer, and the outcome.
 *
 * <p>Everything except {@link #abort} runs on the channel's I/O thread, so the state needs no
 * locks; the outcome is a {@link CompletableFuture}, completed once, by whichever of the
 * dialog or {@link #abort} gets there first. One instance per connection (not sharable).
 *
 * <p>Every path ends in {@code close}: decided outcomes after the QUIT exchange (or at once
 * after a 421, a timeout, a protocol error or a broken connection), connect failures on the
 * spot. The outcome never waits for the QUIT.
 *
 * <p><b>Follow-ups.</b> When the request names follow-up recipients and the address gets a 2xx,
 * the outcome is delivered at once and the dialog goes on instead of quitting: for each one,
 * RSET, MAIL FROM, RCPT TO, with the same reply timer and deadline. Their replies, or why there
 * were none, go to the shared {@link FollowUps}, never to the outcome. If the server drops the
 * connection meanwhile (closes, resets, or says 421; some servers hang up after a 5xx), one
 * second session, {@linkplain #followUpsOnly follow-ups only}, asks the rest on a new connection
 * to the same address; if that one fails too, the rest stay unanswered. A timeout or a protocol
 * error gives the rest up at once: a server that stalled or garbled once is not asked again.
 */
final class ProbeSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeSession.class);

    /** Bound on the wait for the 221 after our QUIT: the outcome is known, this is only courtesy. */
    static final Duration QUIT_WAIT = Duration.ofSeconds(5);
    static final String TOTAL_TIMEOUT = "total timeout reached";
    /** Prefix of the reasons given for follow-ups that the second connection could not ask. */
    static final String SECOND_CONNECTION = "second connection: ";
    /** Room for a whole reply line plus the "<- " marker in the dialog transcript. */
    private static final int MAX_EVENT_LENGTH = ReplyParser.MAX_LINE_OCTETS + 16;

    /** Where the dialog is. EHLO and HELO both report as {@link Stage#HELO}. */
    private enum Step {
        CONNECTING(Stage.CONNECT), GREETING(Stage.GREETING), EHLO(Stage.HELO), HELO(Stage.HELO),
        MAIL(Stage.MAIL), RCPT(Stage.RCPT),
        /** Decided (the address was accepted); a follow-up transaction: RSET, then its MAIL FROM and RCPT TO. */
        RSET(null), FOLLOW_MAIL(null), FOLLOW_RCPT(null),
        /** Decided; QUIT sent, waiting for the 221 before closing. */
        QUIT(null),
        /** Decided; closing or closed. */
        DONE(null);

        final Stage stage;

        Step(Stage stage) {
            this.stage = stage;
        }

        boolean undecided() {
            return stage != null;
        }

        boolean followUp() {
            return this == RSET || this == FOLLOW_MAIL || this == FOLLOW_RCPT;
        }

        boolean awaitsReply() {
            return undecided() || followUp();
        }
    }

    /** Opens a session's connection; how a probe gets its one extra connection for the follow-ups. */
    @FunctionalInterface
    interface Connector {
        void open(ProbeSession session);
    }

    private final ProbeRequest request;
    private final FollowUps followUps;
    /**
     * The second connection of a probe whose server dropped the first during the follow-ups: its
     * dialog leads to the follow-up recipients, and everything that would decide an outcome on the
     * first connection only gives them up here.
     */
    private final boolean followUpsOnly;
    private final Connector connector;
    private final String peer;
    private final CompletableFuture<ProbeOutcome> outcome = new CompletableFuture<>();
    private final ReplyParser parser = new ReplyParser(line -> event("<- " + line));
    // The stage for outcomes: written on the I/O thread, read by abort() from the closing thread.
    private volatile Stage stage = Stage.CONNECT;
    private Step step = Step.CONNECTING;
    private ScheduledFuture<?> timer;
    /** The verb of the last command sent, for the reasons given when a follow-up step is refused. */
    private String lastVerb = "";
    // Written before connect() hands the channel to its I/O thread, read there afterwards.
    private boolean connectBoundByDeadline;
    // Only a hint for logging: a rare second warning from a racing abort() would be harmless.
    private volatile boolean listenerFailed;
    /** Set when the connection broke during the follow-ups in a way channelInactive cannot see (reset, 421). */
    private String dropReason;

    /** The session of a probe's (first) connection; {@code connector} opens its second one if needed. */
    ProbeSession(ProbeRequest request, Connector connector) {
        this(request, new FollowUps(request.followUps()), false, connector);
    }

    private ProbeSession(ProbeRequest request, FollowUps followUps, boolean followUpsOnly, Connector connector) {
        this.request = request;
        this.followUps = followUps;
        this.followUpsOnly = followUpsOnly;
        this.connector = connector;
        this.peer = describe(request.target()) + " (" + SafeText.clean(request.mxHost(), 255) + ")";
    }

    /** Completes exactly once, never exceptionally; on the I/O thread except after {@link #abort}. */
    CompletableFuture<ProbeOutcome> outcome() {
        return outcome;
    }

    /** Completes when both the outcome and the follow-ups are known: the probe needs nothing more. */
    CompletableFuture<Void> finished() {
        return CompletableFuture.allOf(outcome, followUps.result());
    }

    /**
     * Starts the connection, with the connect timeout capped by the deadline.
     *
     * @return the connect future, or null when the deadline had already passed (the outcome is then complete)
     */
    ChannelFuture connect(Bootstrap base) {
        long remaining = request.deadlineNanos() - System.nanoTime();
        if (remaining <= 0) {
            event("timeout: " + TOTAL_TIMEOUT + " before connecting");
            finish(ProbeOutcome.failed(Stage.CONNECT, Failure.TIMEOUT, TOTAL_TIMEOUT));
            return null;
        }
        long connectNanos = nanos(request.connectTimeout());
        connectBoundByDeadline = remaining < connectNanos;
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(remaining, connectNanos)));
        event("connect " + peer);
        ChannelFuture future = base.clone()
            .handler(this)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, millis))
            .connect(request.target());
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
     * Ends the probe from outside (the client is closing): the outcome completes now, as a
     * failure, or if it was known already, the follow-ups still waiting are given up.
     */
    void abort(String detail) {
        if (followUpsOnly) {
            followUps.giveUp(SECOND_CONNECTION + detail);
        } else if (outcome.complete(ProbeOutcome.failed(stage, Failure.INTERNAL, detail))) {
            followUps.notAsked();
            event("aborted: " + detail);
        } else if (followUps.remaining()) {
            followUps.giveUp(detail);
            event("aborted: " + detail);
        }
    }

    private void connectDone(ChannelFuture f) {
        if (f.isSuccess()) {
            return; // channelActive takes over
        }
        step = Step.DONE;
        Throwable cause = f.cause();
        if (cause instanceof ConnectTimeoutException) {
            String detail = connectBoundByDeadline ? TOTAL_TIMEOUT
                : "connect timed out after " + Durations.format(request.connectTimeout());
            event("timeout: " + detail);
            finish(ProbeOutcome.failed(Stage.CONNECT, connectBoundByDeadline ? Failure.TIMEOUT : Failure.CONNECT, detail));
        } else {
            String detail = cause == null ? "connect cancelled" : connectFailure(cause);
            event("connect failed: " + detail);
            finish(ProbeOutcome.failed(Stage.CONNECT, Failure.CONNECT, detail));
        }
        // Netty closes a channel whose connect failed; closing again is harmless and makes sure.
        f.channel().close();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (followUpsOnly ? !followUps.remaining() : outcome.isDone()) { // aborted while connecting
            close(ctx);
            return;
        }
        event("connected");
        step = Step.GREETING;
        stage = Stage.GREETING;
        armReplyTimer(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable() && (step.awaitsReply() || step == Step.QUIT)) {
                SmtpReply reply = parser.offer(in.readByte());
                if (reply == null) {
                    continue;
                }
                boolean wasAwaiting = step.awaitsReply();
                onReply(ctx, reply);
                if (!wasAwaiting || !step.awaitsReply()) {
                    break; // done with this connection: whatever follows in this read is ignored
                }
                if (in.isReadable()) {
                    // These bytes were sent before the command we just wrote could have arrived:
                    // the server is out of step, and no later reply could be trusted to be ours.
                    protocolError(ctx, "reply data sent before our command");
                }
            }
        } catch (SmtpProtocolException e) {
            protocolError(ctx, e.getMessage());
        } finally {
            in.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        event("closed");
        String detail = parser.isPartial() ? "connection closed in the middle of a reply"
            : "connection closed by the remote";
        if (step.undecided()) {
            finish(ProbeOutcome.failed(stage, Failure.CLOSED, detail));
        } else if (step.followUp() || dropReason != null) {
            followUpsDropped(dropReason != null ? dropReason : detail);
        }
        step = Step.DONE;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (step.awaitsReply()) {
            if (cause instanceof IOException) {
                String detail = "connection error: " + message(cause);
                event(detail);
                if (step.undecided()) {
                    finish(ProbeOutcome.failed(stage, Failure.CLOSED, detail));
                } else {
                    dropReason = detail; // channelInactive, which follows the close, takes it from here
                }
            } else {
                internalError(cause);
            }
        }
        close(ctx);
    }

    private void onReply(ChannelHandlerContext ctx, SmtpReply reply) {
        switch (step) {
            case GREETING:
                continueIf(ctx, reply, Step.EHLO, "EHLO " + request.heloName());
                break;
            case EHLO:
                if (reply.isPermanent()) { // an old server without ESMTP: RFC 5321 3.2 says fall back to HELO
                    send(ctx, Step.HELO, "HELO " + request.heloName());
                } else {
                    continueIf(ctx, reply, Step.MAIL, mailFrom());
                }
                break;
            case HELO:
                continueIf(ctx, reply, Step.MAIL, mailFrom());
                break;
            case MAIL:
                if (!reply.isPositive()) {
                    refused(ctx, reply);
                } else if (followUpsOnly) {
                    askFollowUp(ctx, Step.RCPT);
                } else {
                    send(ctx, Step.RCPT, rcptTo(request.recipient()));
                }
                break;
            case RCPT:
                if (followUpsOnly) {
                    followUpAnswered(ctx, reply);
                } else {
                    decide(ctx, reply);
                }
                break;
            case RSET:
                continueIf(ctx, reply, Step.FOLLOW_MAIL, mailFrom());
                break;
            case FOLLOW_MAIL:
                if (reply.isPositive()) {
                    askFollowUp(ctx, Step.FOLLOW_RCPT);
                } else {
                    refused(ctx, reply);
                }
                break;
            case FOLLOW_RCPT:
                followUpAnswered(ctx, reply);
                break;
            case QUIT:
                close(ctx);
                break;
            default:
                break;
        }
    }

    private String mailFrom() {
        return "MAIL FROM:<" + request.mailFrom().map(Object::toString).orElse("") + ">";
    }

    private static String rcptTo(EmailAddress recipient) {
        return "RCPT TO:<" + recipient + ">";
    }

    private void continueIf(ChannelHandlerContext ctx, SmtpReply reply, Step next, String command) {
        if (reply.isPositive()) {
            send(ctx, next, command);
        } else {
            refused(ctx, reply);
        }
    }

    /** A reply other than the success the dialog needed to go on. */
    private void refused(ChannelHandlerContext ctx, SmtpReply reply) {
        if (step.followUp()) {
            followUpsRefused(ctx, reply);
        } else {
            decide(ctx, reply);
        }
    }

    /** The reply decides the probe: report it now, then go on with the follow-ups or take leave. */
    private void decide(ChannelHandlerContext ctx, SmtpReply reply) {
        boolean accepted = stage == Stage.RCPT && reply.isPositive();
        finish(ProbeOutcome.replied(stage, reply), accepted);
        if (reply.code() == 421) {
            close(ctx); // RFC 5321 3.8: the server is closing the channel; nobody would read a QUIT
        } else if (accepted && followUps.remaining()) {
            send(ctx, Step.RSET, "RSET");
        } else {
            quit(ctx);
        }
    }

    /** RCPT TO of the next follow-up recipient; QUIT if none is left (the client gave them up meanwhile). */
    private void askFollowUp(ChannelHandlerContext ctx, Step rcptStep) {
        EmailAddress next = followUps.current();
        if (next == null) {
            quit(ctx);
        } else {
            send(ctx, rcptStep, rcptTo(next));
        }
    }

    /** A follow-up recipient's RCPT TO was answered: record it, then the next one or QUIT. */
    private void followUpAnswered(ChannelHandlerContext ctx, SmtpReply reply) {
        if (reply.code() == 421) { // the server is closing, which says nothing about the recipient: ask elsewhere
            dropped(ctx, "reply to " + lastVerb + ": " + reply);
            return;
        }
        followUps.answered(reply);
        if (followUps.remaining()) {
            send(ctx, Step.RSET, "RSET");
        } else {
            quit(ctx);
        }
    }

    /**
     * RSET or a follow-up's MAIL FROM was not accepted: the remaining follow-ups cannot be asked
     * on this connection. (On the second connection, a refused greeting, EHLO/HELO or first MAIL
     * FROM goes through {@link #decide} and {@link #finish}, which give them up.)
     */
    private void followUpsRefused(ChannelHandlerContext ctx, SmtpReply reply) {
        String why = "reply to " + lastVerb + ": " + reply;
        if (reply.code() == 421) {
            dropped(ctx, why);
            return;
        }
        followUps.giveUp(followUpsOnly ? SECOND_CONNECTION + why : why);
        quit(ctx);
    }

    /** The server is ending this connection during the follow-ups: close, and let channelInactive carry on. */
    private void dropped(ChannelHandlerContext ctx, String why) {
        event("dropped: " + why);
        dropReason = why;
        close(ctx);
    }

    /** The connection ended with follow-ups left: a second connection for them, once; then they are given up. */
    private void followUpsDropped(String why) {
        if (!followUps.remaining()) {
            return;
        }
        if (followUpsOnly) {
            followUps.giveUp(SECOND_CONNECTION + why);
            return;
        }
        event("second connection for the remaining follow-ups (" + why + ")");
        connector.open(new ProbeSession(request, followUps, true, connector));
    }

    private void send(ChannelHandlerContext ctx, Step next, String command) {
        step = next;
        if (next.stage != null) {
            stage = next.stage; // from here on, a failure belongs to this command
        }
        lastVerb = verbOf(command);
        cancelTimer();
        try {
            CommandLine.check(command);
        } catch (IllegalArgumentException e) {
            String detail = "refused to send " + lastVerb + ": " + e.getMessage();
            event(detail);
            failed(Failure.INTERNAL, detail);
            close(ctx);
            return;
        }
        if (armReplyTimer(ctx)) { // not when the deadline has passed: no point in asking
            event("-> " + command);
            ctx.writeAndFlush(CommandLine.encode(ctx.alloc(), command)).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    exceptionCaught(ctx, f.cause());
                }
            });
        }
    }

    private void quit(ChannelHandlerContext ctx) {
        step = Step.QUIT;
        cancelTimer();
        event("-> QUIT");
        ctx.writeAndFlush(CommandLine.encode(ctx.alloc(), "QUIT")).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                close(ctx);
            }
        });
        Duration wait = request.commandTimeout().compareTo(QUIT_WAIT) < 0 ? request.commandTimeout() : QUIT_WAIT;
        schedule(ctx, nanos(wait), () -> {
            event("timeout: no reply to QUIT within " + Durations.format(wait));
            close(ctx);
        });
    }

    /**
     * Waits for the next reply for commandTimeout, or until the deadline if that comes first.
     *
     * @return false when the deadline has already passed (the probe then ended as a timeout)
     */
    private boolean armReplyTimer(ChannelHandlerContext ctx) {
        long remaining = request.deadlineNanos() - System.nanoTime();
        long perReply = nanos(request.commandTimeout());
        String detail = remaining < perReply ? TOTAL_TIMEOUT
            : "no reply within " + Durations.format(request.commandTimeout());
        if (remaining <= 0 || perReply <= 0) {
            timeout(ctx, detail);
            return false;
        }
        schedule(ctx, Math.min(remaining, perReply), () -> timeout(ctx, detail));
        return true;
    }

    private void timeout(ChannelHandlerContext ctx, String detail) {
        if (step.awaitsReply()) {
            event("timeout: " + detail);
            failed(Failure.TIMEOUT, detail);
        }
        close(ctx); // no QUIT: a server that does not answer would not answer that either
    }

    private void protocolError(ChannelHandlerContext ctx, String detail) {
        if (step.awaitsReply()) {
            event("protocol error: " + detail);
            failed(Failure.PROTOCOL, detail);
        }
        close(ctx);
    }

    private void internalError(Throwable cause) {
        LOG.warn("{}: unexpected error in SMTP probe", peer, cause);
        String detail = "unexpected error: " + message(cause);
        event(detail);
        failed(Failure.INTERNAL, detail);
    }

    /** A failure without a reply ends what this connection was waiting for: the outcome, or the follow-ups. */
    private void failed(Failure failure, String detail) {
        if (step.undecided()) {
            finish(ProbeOutcome.failed(stage, failure, detail));
        } else if (step.followUp()) {
            followUps.giveUp(followUpsOnly ? SECOND_CONNECTION + detail : detail);
        }
    }

    private void schedule(ChannelHandlerContext ctx, long nanos, Runnable task) {
        cancelTimer();
        timer = ctx.executor().schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) { // a scheduled task's exception would vanish in Netty's log
                internalError(e);
                close(ctx);
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void close(ChannelHandlerContext ctx) {
        step = Step.DONE;
        cancelTimer();
        ctx.close();
    }

    private void finish(ProbeOutcome result) {
        finish(result, false);
    }

    /**
     * Reports the outcome. On the follow-ups-only connection there is none to report: whatever
     * would have decided it there only means the remaining follow-ups cannot be asked.
     *
     * @param followUpsGoOn whether the follow-ups are asked next (else they are settled as not asked first)
     */
    private void finish(ProbeOutcome result, boolean followUpsGoOn) {
        if (followUpsOnly) {
            followUps.giveUp(SECOND_CONNECTION + result.stage().word() + ": "
                + result.reply().map(SmtpReply::toString).orElse(result.detail()));
            return;
        }
        if (!followUpsGoOn) {
            followUps.notAsked();
        }
        if (outcome.complete(result.withFollowUps(followUps.result().copy()))) {
            LOG.debug("{} outcome: {}", peer, result);
        }
    }

    /** Reports one dialog event to the listener and the debug log, sanitised. */
    private void event(String line) {
        String safe = SafeText.clean(line, MAX_EVENT_LENGTH);
        LOG.debug("{} {}", peer, safe);
        try {
            request.listener().onLine(safe);
        } catch (RuntimeException e) { // someone else's bug must not stall the probe
            if (!listenerFailed) { // once per probe is enough to find it
                listenerFailed = true;
                LOG.warn("{}: dialog listener failed", peer, e);
            }
        }
    }

    private static String connectFailure(Throwable cause) {
        // Netty's messages look like "Connection refused: /192.0.2.1:25"; the address is logged already.
        String m = message(cause);
        int cut = m.indexOf(": /");
        return (cut > 0 ? m.substring(0, cut) : m).toLowerCase(Locale.ROOT);
    }

    private static String message(Throwable cause) {
        String m = cause.getMessage();
        return SafeText.clean(m == null || m.isEmpty() ? cause.getClass().getSimpleName() : m, 200);
    }

    private static String verbOf(String command) {
        int space = command.indexOf(' ');
        return SafeText.clean(space > 0 ? command.substring(0, space) : command, 10);
    }

    private static String describe(InetSocketAddress target) {
        String host = target.getAddress() == null ? target.getHostString() : target.getAddress().getHostAddress();
        boolean v6 = target.getAddress() instanceof Inet6Address;
        return (v6 ? "[" + host + "]" : host) + ":" + target.getPort();
    }

    /** Duration to nanoseconds without overflow: absurdly long timeouts mean "very long". */
    private static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
