package io.github.jamescbv.james;

import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.GenericFutureListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reply to one command held back while the callback finishes, without a thread waiting.
 * What the command was, and how it is finished, is the {@link Resumption}'s business: for the
 * final "." of DATA it runs James's message hooks (the attribute, the spool) then; for RCPT TO
 * it replays the command through James, whose hooks then answer from the verdict.
 *
 * <p>Released exactly once, by whichever comes first: the verdict, the wait bound, or the client
 * closing the connection. Every method runs on the session's executor; that single thread is
 * what makes the plain fields below safe.
 *
 * <p>While held, a line handler of ours sits on top of James's: the lines that still arrive
 * (pipelined commands, or a client that does not wait) are kept here and fed to James, in order,
 * once the reply has been written. Reading from the client goes on, on purpose: with Netty's
 * auto-read off, a client that hangs up is not noticed (its FIN is never read, the channel stays
 * active), and it would get a reply, or a spooled message, it never waited for. Only a client that
 * sends more than {@link #MAX_BUFFERED_BYTES} meanwhile has its reading paused.
 */
final class HeldReply {
    static final ProtocolSession.AttachmentKey<HeldReply> KEY =
        ProtocolSession.AttachmentKey.of("io.github.jamescbv.held-reply", HeldReply.class);

    /**
     * A pipelining client sends a few commands after the one held; this much without a reply
     * is not SMTP any more, so reading pauses (and a hang-up goes unnoticed until the release).
     */
    static final int MAX_BUFFERED_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(CallbackVerifyHandler.class);

    enum Cause { VERDICT, TIMEOUT, CLIENT_GONE }

    /** Finishes the held command, on the session's executor, once the client is known to be still there. */
    @FunctionalInterface
    interface Resumption {
        /** @return the reply to write, or null when nothing (more) is to be written */
        Response resume(Cause cause) throws Exception;
    }

    private final SMTPSession session;
    private final SessionChannel channel;
    private final CbvMetrics metrics;
    private final String command;
    private final Resumption resumption;
    private final List<byte[]> pipelined = new ArrayList<>();
    private final long heldAtNanos = System.nanoTime();
    private ScheduledFuture<?> timer;
    private GenericFutureListener<ChannelFuture> closeListener;
    private boolean lineHandlerPushed;
    private int bufferedBytes;
    private boolean readingPaused;
    private boolean released;

    /** @param command what is held, for the log: "DATA", "RCPT TO" */
    HeldReply(SMTPSession session, SessionChannel channel, CbvMetrics metrics, String command, Resumption resumption) {
        this.session = session;
        this.channel = channel;
        this.metrics = metrics;
        this.command = command;
        this.resumption = resumption;
    }

    /**
     * Starts holding until {@code completion} completes or {@code maxWait} passes. Called on the
     * session's executor, while James handles the command being held.
     */
    void hold(CompletionStage<?> completion, Duration maxWait) {
        session.setAttachment(KEY, this, ProtocolSession.State.Connection);
        session.pushLineHandler((s, line) -> {
            buffer(line);
            return null;
        });
        lineHandlerPushed = true;
        metrics.replyHeld();
        timer = channel.executor().schedule(() -> safely(() -> release(Cause.TIMEOUT)), maxWait.toNanos(), TimeUnit.NANOSECONDS);
        closeListener = f -> onSessionExecutor(() -> release(Cause.CLIENT_GONE));
        channel.channel().closeFuture().addListener(closeListener);
        // The verdict completes on an engine thread: hop to the session's executor before touching anything.
        completion.whenComplete((v, e) -> onSessionExecutor(() -> release(Cause.VERDICT)));
    }

    /** A line that arrived while held: kept for after the reply. */
    void buffer(byte[] line) {
        pipelined.add(line.clone());
        bufferedBytes += line.length;
        if (bufferedBytes > MAX_BUFFERED_BYTES && !readingPaused) {
            readingPaused = true;
            channel.transport().setReadable(false);
        }
    }

    /** Undoes {@link #hold} when it failed half-way; the caller then answers the command at once. */
    void abandon() {
        released = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (closeListener != null) {
            channel.channel().closeFuture().removeListener(closeListener);
        }
        session.removeAttachment(KEY, ProtocolSession.State.Connection);
        popLineHandler();
        resumeReading();
    }

    void release(Cause cause) {
        if (released) {
            return;
        }
        released = true;
        timer.cancel(false);
        channel.channel().closeFuture().removeListener(closeListener);
        session.removeAttachment(KEY, ProtocolSession.State.Connection);
        long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heldAtNanos);

        if (cause == Cause.CLIENT_GONE || !channel.channel().isActive()) {
            // No reply was given, so the client still owns the message and will send it again:
            // nothing may be accepted for it now (James has already disposed of a message's data).
            metrics.holdAbandoned();
            LOG.info("client of session {} left while the reply to {} was held ({} ms); nothing accepted",
                session.getSessionID(), command, heldMs);
            pipelined.clear();
            return;
        }
        // Ours must be off the stack before James runs again: the held command and the replayed
        // lines go to James's own handlers, and its end of DATA pops the handler on top.
        popLineHandler();
        if (cause == Cause.TIMEOUT) {
            metrics.holdExpired();
            LOG.info("reply to {} held {} ms for session {}: verification still in progress, releasing it",
                command, heldMs, session.getSessionID());
        } else {
            LOG.debug("reply to {} held {} ms for session {} until the verdict came", command, heldMs, session.getSessionID());
        }

        Response response;
        try {
            response = resumption.resume(cause);
        } catch (Exception e) {
            channel.fail(e);
            return;
        }
        if (response != null) {
            channel.transport().writeResponse(response, session);
        }
        resumeReading();
        replayPipelined();
    }

    private void popLineHandler() {
        if (lineHandlerPushed) {
            lineHandlerPushed = false;
            session.popLineHandler();
        }
    }

    private void resumeReading() {
        if (readingPaused) {
            readingPaused = false;
            channel.transport().setReadable(true);
        }
    }

    private void replayPipelined() {
        List<byte[]> lines = new ArrayList<>(pipelined);
        pipelined.clear();
        for (int i = 0; i < lines.size(); i++) {
            HeldReply again = session.getAttachment(KEY, ProtocolSession.State.Connection).orElse(null);
            if (again != null) {
                // A replayed command is itself being held: the rest waits for that one, in order.
                for (byte[] line : lines.subList(i, lines.size())) {
                    again.buffer(line);
                }
                return;
            }
            if (!channel.channel().isActive()) {
                return;
            }
            try {
                channel.replay(lines.get(i));
            } catch (Exception e) {
                channel.fail(e);
                return;
            }
        }
    }

    private void onSessionExecutor(Runnable task) {
        try {
            channel.executor().execute(() -> safely(task));
        } catch (RejectedExecutionException e) {
            // James is shutting down its event loops; the connection goes with them.
            LOG.debug("session {}: executor gone, held reply dropped", session.getSessionID());
        }
    }

    private void safely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("releasing the held reply of session {} failed: {}", session.getSessionID(), e.toString());
            channel.fail(e);
        }
    }
}
