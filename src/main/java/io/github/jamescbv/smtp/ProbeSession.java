package io.github.jamescbv.smtp;

import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.github.jamescbv.verify.Durations;
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
 */
final class ProbeSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeSession.class);

    /** Bound on the wait for the 221 after our QUIT: the outcome is known, this is only courtesy. */
    static final Duration QUIT_WAIT = Duration.ofSeconds(5);
    static final String TOTAL_TIMEOUT = "total timeout reached";
    /** Room for a whole reply line plus the "<- " marker in the dialog transcript. */
    private static final int MAX_EVENT_LENGTH = ReplyParser.MAX_LINE_OCTETS + 16;

    /** Where the dialog is. EHLO and HELO both report as {@link Stage#HELO}. */
    private enum Step {
        CONNECTING(Stage.CONNECT), GREETING(Stage.GREETING), EHLO(Stage.HELO), HELO(Stage.HELO),
        MAIL(Stage.MAIL), RCPT(Stage.RCPT),
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
    }

    private final ProbeRequest request;
    private final String peer;
    private final CompletableFuture<ProbeOutcome> outcome = new CompletableFuture<>();
    private final ReplyParser parser = new ReplyParser(line -> event("<- " + line));
    // The stage for outcomes: written on the I/O thread, read by abort() from the closing thread.
    private volatile Stage stage = Stage.CONNECT;
    private Step step = Step.CONNECTING;
    private ScheduledFuture<?> timer;
    // Written before connect() hands the channel to its I/O thread, read there afterwards.
    private boolean connectBoundByDeadline;
    // Only a hint for logging: a rare second warning from a racing abort() would be harmless.
    private volatile boolean listenerFailed;

    ProbeSession(ProbeRequest request) {
        this.request = request;
        this.peer = describe(request.target()) + " (" + SafeText.clean(request.mxHost(), 255) + ")";
    }

    /** Completes exactly once, never exceptionally; on the I/O thread except after {@link #abort}. */
    CompletableFuture<ProbeOutcome> outcome() {
        return outcome;
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

    /** Ends the probe from outside (the client is closing): the outcome completes now, as a failure. */
    void abort(String detail) {
        if (outcome.complete(ProbeOutcome.failed(stage, Failure.INTERNAL, detail))) {
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
        if (outcome.isDone()) { // aborted while connecting
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
            while (in.isReadable() && (step.undecided() || step == Step.QUIT)) {
                SmtpReply reply = parser.offer(in.readByte());
                if (reply == null) {
                    continue;
                }
                boolean wasUndecided = step.undecided();
                onReply(ctx, reply);
                if (!wasUndecided || !step.undecided()) {
                    break; // decided: whatever follows in this read is ignored
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
        if (step.undecided()) {
            String detail = parser.isPartial() ? "connection closed in the middle of a reply"
                : "connection closed by the remote";
            finish(ProbeOutcome.failed(stage, Failure.CLOSED, detail));
        }
        step = Step.DONE;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (step.undecided()) {
            if (cause instanceof IOException) {
                String detail = "connection error: " + message(cause);
                event(detail);
                finish(ProbeOutcome.failed(stage, Failure.CLOSED, detail));
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
                continueIf(ctx, reply, Step.RCPT, "RCPT TO:<" + request.recipient() + ">");
                break;
            case RCPT:
                decide(ctx, reply);
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

    private void continueIf(ChannelHandlerContext ctx, SmtpReply reply, Step next, String command) {
        if (reply.isPositive()) {
            send(ctx, next, command);
        } else {
            decide(ctx, reply);
        }
    }

    /** The reply decides the probe: report it now, then take leave. */
    private void decide(ChannelHandlerContext ctx, SmtpReply reply) {
        finish(ProbeOutcome.replied(stage, reply));
        if (reply.code() == 421) {
            close(ctx); // RFC 5321 3.8: the server is closing the channel; nobody would read a QUIT
        } else {
            quit(ctx);
        }
    }

    private void send(ChannelHandlerContext ctx, Step next, String command) {
        step = next;
        stage = next.stage; // from here on, a failure belongs to this command
        cancelTimer();
        try {
            CommandLine.check(command);
        } catch (IllegalArgumentException e) {
            String detail = "refused to send " + verbOf(command) + ": " + e.getMessage();
            event(detail);
            finish(ProbeOutcome.failed(stage, Failure.INTERNAL, detail));
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
        if (step.undecided()) {
            event("timeout: " + detail);
            finish(ProbeOutcome.failed(stage, Failure.TIMEOUT, detail));
        }
        close(ctx); // no QUIT: a server that does not answer would not answer that either
    }

    private void protocolError(ChannelHandlerContext ctx, String detail) {
        if (step.undecided()) {
            event("protocol error: " + detail);
            finish(ProbeOutcome.failed(stage, Failure.PROTOCOL, detail));
        }
        close(ctx);
    }

    private void internalError(Throwable cause) {
        LOG.warn("{}: unexpected error in SMTP probe", peer, cause);
        String detail = "unexpected error: " + message(cause);
        event(detail);
        finish(ProbeOutcome.failed(stage, Failure.INTERNAL, detail));
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
        if (outcome.complete(result)) {
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
