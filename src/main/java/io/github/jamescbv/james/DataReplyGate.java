package io.github.jamescbv.james;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DATA line filter's logic: lets every line through, except the final "." of a
 * transaction whose callback has not finished, which it holds (see {@link HeldReply}) for at
 * most {@code maxWait}; James's message hooks run when the hold is released.
 *
 * <p>Our handler is a user handler, so James wires its filter outermost in the DATA chain:
 * it sees each line before James's {@code DataLineJamesMessageHookHandler} does.
 */
final class DataReplyGate {
    /**
     * When the reply cannot be held without a thread (another James version), the SMTP thread
     * itself waits, but never longer than this: a waiting event loop stalls every other
     * connection on it.
     */
    static final Duration FALLBACK_MAX_BLOCK = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(CallbackVerifyHandler.class);

    private final Duration maxWait;
    private final ChannelAccess access;
    private final CbvMetrics metrics;
    private final AtomicBoolean fallbackWarned = new AtomicBoolean();

    DataReplyGate(Duration maxWait, ChannelAccess access, CbvMetrics metrics) {
        this.maxWait = maxWait;
        this.access = access;
        this.metrics = metrics;
        if (!access.available() && !maxWait.isZero()) {
            fallbackWarned.set(true);
            LOG.warn("cannot hold the reply to DATA without a thread on this James ({}); will block the SMTP thread"
                + " for at most {} ms per message instead of maxWait", access.unavailableReason(), fallbackBlock().toMillis());
        }
    }

    Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        if (!isEndOfData(line)) {
            return next.onLine(session, line);
        }
        PendingVerdict pending = session.getAttachment(PendingVerdict.KEY, ProtocolSession.State.Transaction).orElse(null);
        if (pending == null || pending.isDone() || maxWait.isZero()) {
            return next.onLine(session, line);
        }
        if (!hold(session, line, next, pending)) {
            metrics.blockingWait();
            pending.awaitAtMost(fallbackBlock());
            return next.onLine(session, line);
        }
        // Nothing to write now: the reply comes when the hold is released.
        return null;
    }

    /** True when the reply is now held; false when the caller must fall back to a bounded wait. */
    private boolean hold(SMTPSession session, byte[] line, LineHandler<SMTPSession> next, PendingVerdict pending) {
        Optional<SessionChannel> channel = access.of(session);
        if (channel.isEmpty()) {
            if (fallbackWarned.compareAndSet(false, true)) {
                LOG.warn("cannot reach the Netty channel of SMTP session {}; blocking the SMTP thread for at most {} ms instead",
                    session.getSessionID(), fallbackBlock().toMillis());
            }
            return false;
        }
        byte[] endOfData = line.clone();
        // Runs the rest of the DATA filters: James's message hooks, ours (the attribute), the spool.
        HeldReply reply = new HeldReply(session, channel.get(), metrics, "DATA", cause -> next.onLine(session, endOfData));
        try {
            reply.hold(pending.completion(), maxWait);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("holding the reply to DATA failed for session {}: {}", session.getSessionID(), e.toString());
            try {
                reply.abandon();
            } catch (RuntimeException again) {
                LOG.warn("undoing the hold failed for session {}: {}", session.getSessionID(), again.toString());
            }
            return false;
        }
    }

    private Duration fallbackBlock() {
        return maxWait.compareTo(FALLBACK_MAX_BLOCK) < 0 ? maxWait : FALLBACK_MAX_BLOCK;
    }

    /** The same test James's own DATA handlers use for the end of the message. */
    static boolean isEndOfData(byte[] line) {
        return line.length == 3 && line[0] == '.';
    }
}
