package io.github.jamescbv.smtp;

import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The time limits of one probe connection: the connect timeout, the wait for each reply and for
 * the 221 after QUIT, all capped by the attempt's overall deadline. Holds at most one pending
 * wait, on the channel's I/O thread; arming a new one cancels the old.
 *
 * <p>Each limit also names itself for the outcome: "no reply within 30s", or
 * {@value #TOTAL_TIMEOUT} when it was the deadline that ran out.
 */
final class DialogTimer {
    /** Bound on the wait for the 221 after our QUIT: the outcome is known, this is only courtesy. */
    static final Duration QUIT_WAIT = Duration.ofSeconds(5);
    static final String TOTAL_TIMEOUT = "total timeout reached";

    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final long deadlineNanos;
    private final LongSupplier clock;
    private final BiConsumer<ChannelHandlerContext, RuntimeException> onTaskFailure;
    private ScheduledFuture<?> pending;
    // Written before connect() hands the channel to its I/O thread, read there afterwards.
    private boolean connectBoundByDeadline;

    /**
     * @param clock         the clock of {@link ProbeLimits#deadlineNanos()} ({@link ProbeLimits#clock()})
     * @param onTaskFailure what to do when an expiry action throws (it runs as a scheduled task, whose
     *                      exception would vanish in Netty's log)
     */
    DialogTimer(ProbeLimits limits, LongSupplier clock,
                BiConsumer<ChannelHandlerContext, RuntimeException> onTaskFailure) {
        this.connectTimeout = limits.connectTimeout();
        this.commandTimeout = limits.commandTimeout();
        this.deadlineNanos = limits.deadlineNanos();
        this.clock = clock;
        this.onTaskFailure = onTaskFailure;
    }

    /**
     * The connect timeout, capped by the deadline, for {@code CONNECT_TIMEOUT_MILLIS}.
     *
     * @return at least 1, or 0 when the deadline has passed already (no point in connecting)
     */
    int connectTimeoutMillis() {
        long remaining = deadlineNanos - clock.getAsLong();
        if (remaining <= 0) {
            return 0;
        }
        long connectNanos = nanos(connectTimeout);
        connectBoundByDeadline = remaining < connectNanos;
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(remaining, connectNanos)));
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }

    /** The outcome of a connect that timed out: a total timeout if the deadline was what bounded it. */
    ProbeOutcome connectTimedOut() {
        if (connectBoundByDeadline) {
            return ProbeOutcome.failed(Stage.CONNECT, Failure.TIMEOUT, TOTAL_TIMEOUT);
        }
        return ProbeOutcome.failed(Stage.CONNECT, Failure.CONNECT,
            "connect timed out after " + Durations.format(connectTimeout));
    }

    /**
     * Waits for the next reply for commandTimeout, or until the deadline if that comes first;
     * {@code onExpiry} gets the reason when the wait runs out.
     *
     * @return false when the deadline has passed already: {@code onExpiry} has run, nothing waits
     */
    boolean awaitReply(ChannelHandlerContext ctx, Consumer<String> onExpiry) {
        return await(ctx, "no reply", onExpiry);
    }

    /**
     * Waits for the TLS handshake as for a reply: commandTimeout, or until the deadline if that
     * comes first. A server that said 220 to STARTTLS and then stalls costs no more than one that
     * stalls on any command.
     *
     * @return false when the deadline has passed already: {@code onExpiry} has run, nothing waits
     */
    boolean awaitHandshake(ChannelHandlerContext ctx, Consumer<String> onExpiry) {
        return await(ctx, "no TLS handshake", onExpiry);
    }

    /** @param nothing what did not come, for the reason: "no reply" within commandTimeout */
    private boolean await(ChannelHandlerContext ctx, String nothing, Consumer<String> onExpiry) {
        long remaining = deadlineNanos - clock.getAsLong();
        long perReply = nanos(commandTimeout);
        String detail = remaining < perReply ? TOTAL_TIMEOUT : nothing + " within " + Durations.format(commandTimeout);
        if (remaining <= 0 || perReply <= 0) {
            onExpiry.accept(detail);
            return false;
        }
        schedule(ctx, Math.min(remaining, perReply), () -> onExpiry.accept(detail));
        return true;
    }

    /**
     * Waits for the reply to QUIT, or to a pipelined command owed before it ({@code verb}), for
     * commandTimeout or {@link #QUIT_WAIT}, whichever is shorter.
     */
    void awaitQuitReply(ChannelHandlerContext ctx, String verb, Consumer<String> onExpiry) {
        Duration wait = commandTimeout.compareTo(QUIT_WAIT) < 0 ? commandTimeout : QUIT_WAIT;
        schedule(ctx, nanos(wait), () -> onExpiry.accept("no reply to " + verb + " within " + Durations.format(wait)));
    }

    /** Now, on the clock of the deadline. */
    long now() {
        return clock.getAsLong();
    }

    /** Nothing waits any more: the reply came, or the connection is closing. */
    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void schedule(ChannelHandlerContext ctx, long nanos, Runnable onExpiry) {
        cancel();
        pending = ctx.executor().schedule(() -> {
            try {
                onExpiry.run();
            } catch (RuntimeException e) {
                onTaskFailure.accept(ctx, e);
            }
        }, nanos, TimeUnit.NANOSECONDS);
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
