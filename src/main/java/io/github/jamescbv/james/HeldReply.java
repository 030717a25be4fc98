package io.github.jamescbv.james;

import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.GenericFutureListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reply to one final "." held back while the callback finishes, without a thread waiting:
 * the "." is kept, and James's message hooks (ours, which writes the attribute, and
 * {@code SendMailHandler}, which spools the mail) run only when the hold is released, on the
 * session's own event loop.
 *
 * <p>Released exactly once, by whichever comes first: the verdict, {@code maxWait}, or the
 * client closing the connection. Every method runs on the session's executor; that single
 * thread is what makes the plain fields below safe.
 *
 * <p>Reading from the client goes on while held, on purpose: with Netty's auto-read off, a
 * client that hangs up is not noticed (its FIN is never read, the channel stays active), and
 * its message would be spooled although it never got our 250 and will send it again. Lines
 * that arrive while held (pipelined commands) are kept here and fed to James, in order, once
 * the reply has been written; only a client that sends more than {@link #MAX_BUFFERED_BYTES}
 * meanwhile has its reading paused.
 */
final class HeldReply {
    static final ProtocolSession.AttachmentKey<HeldReply> KEY =
        ProtocolSession.AttachmentKey.of("io.github.jamescbv.held-reply", HeldReply.class);

    /**
     * A pipelining client sends a few commands after the final "."; this much without a reply
     * is not SMTP any more, so reading pauses (and a hang-up goes unnoticed until the release).
     */
    static final int MAX_BUFFERED_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(CallbackVerifyHandler.class);

    enum Cause { VERDICT, TIMEOUT, CLIENT_GONE }

    private final SMTPSession session;
    private final LineHandler<SMTPSession> next;
    private final byte[] endOfData;
    private final SessionChannel channel;
    private final CbvMetrics metrics;
    private final List<byte[]> pipelined = new ArrayList<>();
    private final long heldAtNanos = System.nanoTime();
    private ScheduledFuture<?> timer;
    private GenericFutureListener<ChannelFuture> closeListener;
    private int bufferedBytes;
    private boolean readingPaused;
    private boolean released;

    HeldReply(SMTPSession session, LineHandler<SMTPSession> next, byte[] endOfData, SessionChannel channel, CbvMetrics metrics) {
        this.session = session;
        this.next = next;
        this.endOfData = endOfData.clone();
        this.channel = channel;
        this.metrics = metrics;
    }

    /** Starts holding. Called on the session's executor, by the DATA line filter. */
    void hold(PendingVerdict pending, Duration maxWait) {
        session.setAttachment(KEY, this, ProtocolSession.State.Connection);
        metrics.replyHeld();
        timer = channel.executor().schedule(() -> safely(() -> release(Cause.TIMEOUT)), maxWait.toNanos(), TimeUnit.NANOSECONDS);
        closeListener = f -> onSessionExecutor(() -> release(Cause.CLIENT_GONE));
        channel.channel().closeFuture().addListener(closeListener);
        // The verdict completes on an engine thread: hop to the session's executor before touching anything.
        pending.completion().whenComplete((v, e) -> onSessionExecutor(() -> release(Cause.VERDICT)));
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

    /** Undoes {@link #hold} when it failed half-way; the caller then lets the "." through at once. */
    void abandon() {
        released = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (closeListener != null) {
            channel.channel().closeFuture().removeListener(closeListener);
        }
        session.removeAttachment(KEY, ProtocolSession.State.Connection);
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
            // No reply was given, so the client still owns the message and will send it again.
            // James has already disposed of the message data; spooling it now would be wrong.
            metrics.holdAbandoned();
            LOG.info("client of session {} left while the reply to DATA was held ({} ms); message not accepted",
                session.getSessionID(), heldMs);
            pipelined.clear();
            return;
        }
        if (cause == Cause.TIMEOUT) {
            metrics.holdExpired();
            LOG.info("reply to DATA held {} ms for session {}: verification still in progress, releasing it",
                heldMs, session.getSessionID());
        } else {
            LOG.debug("reply to DATA held {} ms for session {} until the verdict came", heldMs, session.getSessionID());
        }

        Response response;
        try {
            // Runs the rest of the DATA filters: James's message hooks, ours (the attribute), the spool.
            response = next.onLine(session, endOfData);
        } catch (RuntimeException e) {
            channel.fail(e);
            return;
        }
        if (response != null) {
            channel.transport().writeResponse(response, session);
        }
        resumeReading();
        replayPipelined();
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
                // A replayed transaction is itself being held: the rest waits for that one, in order.
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
