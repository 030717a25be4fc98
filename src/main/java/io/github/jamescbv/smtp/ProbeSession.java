package io.github.jamescbv.smtp;

import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Stage;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One probe's connection: the state machine of the callback dialog (greeting, EHLO or HELO,
 * MAIL FROM, RCPT TO, then QUIT). Its time limits are a {@link DialogTimer}'s, its events go to
 * a {@link Transcript}, and what it finds out to {@link SessionResults}.
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
 * second session, {@linkplain SessionResults#secondConnection() follow-ups only}, asks the rest
 * on a new connection to the same address; if that one fails too, the rest stay unanswered. A
 * timeout or a protocol error gives the rest up at once: a server that stalled or garbled once
 * is not asked again.
 */
final class ProbeSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeSession.class);

    /** Opens a session's connection; how a probe gets its one extra connection for the follow-ups. */
    @FunctionalInterface
    interface Connector {
        void open(ProbeSession session);
    }

    private final ProbeRequest request;
    private final SessionResults results;
    private final Connector connector;
    private final Transcript transcript;
    private final DialogTimer timer;
    private final ReplyParser parser;
    // The stage for outcomes: written on the I/O thread, read by abort() from the closing thread.
    private volatile Stage stage = Stage.CONNECT;
    private DialogStep step = DialogStep.CONNECTING;
    /** The verb of the last command sent, for the reasons given when a follow-up step is refused. */
    private String lastVerb = "";
    /** Set when the connection broke during the follow-ups in a way channelInactive cannot see (reset, 421). */
    private String dropReason;

    /** The session of a probe's (first) connection; {@code connector} opens its second one if needed. */
    ProbeSession(ProbeRequest request, Connector connector) {
        this(request, new SessionResults(request.query().followUps()), connector);
    }

    private ProbeSession(ProbeRequest request, SessionResults results, Connector connector) {
        this.request = request;
        this.results = results;
        this.connector = connector;
        this.transcript = new Transcript(request.route(), request.listener());
        this.timer = new DialogTimer(request.limits(), System::nanoTime, this::timerTaskFailed);
        this.parser = new ReplyParser(line -> event("<- " + line));
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
     * Starts the connection, with the connect timeout capped by the deadline.
     *
     * @return the connect future, or null when the deadline had already passed (the outcome is then complete)
     */
    ChannelFuture connect(Bootstrap base) {
        int connectMillis = timer.connectTimeoutMillis();
        if (connectMillis == 0) {
            event("timeout: " + DialogTimer.TOTAL_TIMEOUT + " before connecting");
            finish(ProbeOutcome.failed(Stage.CONNECT, Failure.TIMEOUT, DialogTimer.TOTAL_TIMEOUT));
            return null;
        }
        event("connect " + transcript.peer());
        ChannelFuture future = base.clone()
            .handler(this)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
            .connect(request.route().address());
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
        if (results.abort(stage, detail)) {
            event("aborted: " + detail);
        }
    }

    private void connectDone(ChannelFuture f) {
        if (f.isSuccess()) {
            return; // channelActive takes over
        }
        step = DialogStep.DONE;
        Throwable cause = f.cause();
        if (cause instanceof ConnectTimeoutException) {
            ProbeOutcome timedOut = timer.connectTimedOut();
            event("timeout: " + timedOut.detail());
            finish(timedOut);
        } else {
            String detail = cause == null ? "connect cancelled" : FailureDetail.connectFailure(cause);
            event("connect failed: " + detail);
            finish(ProbeOutcome.failed(Stage.CONNECT, Failure.CONNECT, detail));
        }
        // Netty closes a channel whose connect failed; closing again is harmless and makes sure.
        f.channel().close();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (results.settled()) { // aborted while connecting
            close(ctx);
            return;
        }
        event("connected");
        step = DialogStep.GREETING;
        stage = Stage.GREETING;
        awaitReply(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable() && (step.awaitsReply() || step == DialogStep.QUIT)) {
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
        timer.cancel();
        event("closed");
        String detail = parser.isPartial() ? "connection closed in the middle of a reply"
            : "connection closed by the remote";
        if (step.undecided()) {
            finish(ProbeOutcome.failed(stage, Failure.CLOSED, detail));
        } else if (step.followUp() || dropReason != null) {
            followUpsDropped(dropReason != null ? dropReason : detail);
        }
        step = DialogStep.DONE;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (step.awaitsReply()) {
            if (cause instanceof IOException) {
                String detail = "connection error: " + FailureDetail.message(cause);
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
                continueIf(ctx, reply, DialogStep.EHLO, "EHLO " + request.route().heloName());
                break;
            case EHLO:
                if (reply.isPermanent()) { // an old server without ESMTP: RFC 5321 3.2 says fall back to HELO
                    send(ctx, DialogStep.HELO, "HELO " + request.route().heloName());
                } else {
                    continueIf(ctx, reply, DialogStep.MAIL, mailFrom());
                }
                break;
            case HELO:
                continueIf(ctx, reply, DialogStep.MAIL, mailFrom());
                break;
            case MAIL:
                if (!reply.isPositive()) {
                    refused(ctx, reply);
                } else if (results.secondConnection()) {
                    askFollowUp(ctx, DialogStep.RCPT);
                } else {
                    send(ctx, DialogStep.RCPT, rcptTo(request.query().recipient()));
                }
                break;
            case RCPT:
                if (results.secondConnection()) {
                    followUpAnswered(ctx, reply);
                } else {
                    decide(ctx, reply);
                }
                break;
            case RSET:
                continueIf(ctx, reply, DialogStep.FOLLOW_MAIL, mailFrom());
                break;
            case FOLLOW_MAIL:
                if (reply.isPositive()) {
                    askFollowUp(ctx, DialogStep.FOLLOW_RCPT);
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
        return "MAIL FROM:<" + request.query().mailFrom().map(Object::toString).orElse("") + ">";
    }

    private static String rcptTo(EmailAddress recipient) {
        return "RCPT TO:<" + recipient + ">";
    }

    private void continueIf(ChannelHandlerContext ctx, SmtpReply reply, DialogStep next, String command) {
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
        } else if (accepted && results.followUpsRemain()) {
            send(ctx, DialogStep.RSET, "RSET");
        } else {
            quit(ctx);
        }
    }

    /** RCPT TO of the next follow-up recipient; QUIT if none is left (the client gave them up meanwhile). */
    private void askFollowUp(ChannelHandlerContext ctx, DialogStep rcptStep) {
        EmailAddress next = results.nextFollowUp();
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
        results.followUpAnswered(reply);
        if (results.followUpsRemain()) {
            send(ctx, DialogStep.RSET, "RSET");
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
        results.giveUp(why);
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
        if (!results.followUpsRemain()) {
            return;
        }
        if (results.secondConnection()) {
            results.giveUp(why);
            return;
        }
        event("second connection for the remaining follow-ups (" + why + ")");
        connector.open(new ProbeSession(request, results.forSecondConnection(), connector));
    }

    private void send(ChannelHandlerContext ctx, DialogStep next, String command) {
        step = next;
        if (next.stage != null) {
            stage = next.stage; // from here on, a failure belongs to this command
        }
        lastVerb = CommandLine.verb(command);
        timer.cancel();
        try {
            CommandLine.check(command);
        } catch (IllegalArgumentException e) {
            String detail = "refused to send " + lastVerb + ": " + e.getMessage();
            event(detail);
            failed(Failure.INTERNAL, detail);
            close(ctx);
            return;
        }
        if (awaitReply(ctx)) { // not when the deadline has passed: no point in asking
            event("-> " + command);
            ctx.writeAndFlush(CommandLine.encode(ctx.alloc(), command)).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    exceptionCaught(ctx, f.cause());
                }
            });
        }
    }

    private void quit(ChannelHandlerContext ctx) {
        step = DialogStep.QUIT;
        timer.cancel();
        event("-> QUIT");
        ctx.writeAndFlush(CommandLine.encode(ctx.alloc(), "QUIT")).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                close(ctx);
            }
        });
        timer.awaitQuitReply(ctx, detail -> {
            event("timeout: " + detail);
            close(ctx);
        });
    }

    /** @return false when the deadline has already passed (the probe then ended as a timeout) */
    private boolean awaitReply(ChannelHandlerContext ctx) {
        return timer.awaitReply(ctx, detail -> timeout(ctx, detail));
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

    private void timerTaskFailed(ChannelHandlerContext ctx, RuntimeException e) {
        internalError(e);
        close(ctx);
    }

    private void internalError(Throwable cause) {
        LOG.warn("{}: unexpected error in SMTP probe", transcript.peer(), cause);
        String detail = "unexpected error: " + FailureDetail.message(cause);
        event(detail);
        failed(Failure.INTERNAL, detail);
    }

    /** A failure without a reply ends what this connection was waiting for: the outcome, or the follow-ups. */
    private void failed(Failure failure, String detail) {
        if (step.undecided()) {
            finish(ProbeOutcome.failed(stage, failure, detail));
        } else if (step.followUp()) {
            results.giveUp(detail);
        }
    }

    private void close(ChannelHandlerContext ctx) {
        step = DialogStep.DONE;
        timer.cancel();
        ctx.close();
    }

    private void finish(ProbeOutcome result) {
        finish(result, false);
    }

    /** @param followUpsGoOn whether the follow-ups are asked next (else they are settled as not asked first) */
    private void finish(ProbeOutcome result, boolean followUpsGoOn) {
        if (results.decide(result, followUpsGoOn)) {
            LOG.debug("{} outcome: {}", transcript.peer(), result);
        }
    }

    private void event(String line) {
        transcript.line(line);
    }
}
