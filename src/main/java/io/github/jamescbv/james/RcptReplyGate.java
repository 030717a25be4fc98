package io.github.jamescbv.james;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the reply to RCPT TO while the verdict is on its way, without a thread (see
 * {@link HeldReply}). A RcptHook cannot answer later, so one RCPT command is seen at three
 * moments of James 3.8.1's {@code CommandDispatcher}, which is why the handler is also a
 * {@code CommandHandler} and a {@code ProtocolHandlerResultHandler}:
 * <ol>
 *   <li>The dispatcher calls the RCPT command handlers in chain order, ours before James's
 *       (user handlers come first): {@link #noteCommand} keeps the command line and lets James
 *       go on.</li>
 *   <li>James's RCPT handler runs the RcptHooks; ours, after {@code ValidRcptHandler}, finds a
 *       hold due and calls {@link #requestHold}, then answers {@link #PLACEHOLDER}: a refusal,
 *       so that James adds no recipient and runs no later hook.</li>
 *   <li>The dispatcher hands that reply to the result handlers, ours first:
 *       {@link #onResponse} replaces it with {@link #HELD}, which James writes as nothing, and
 *       holds. On release the kept line is replayed through James, whose hooks run again; ours
 *       then answers from the verdict (or from "still in progress").</li>
 * </ol>
 */
final class RcptReplyGate {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackVerifyHandler.class);

    /** The RCPT line James is handling now, as the dispatcher parsed it; replaced by every RCPT. */
    static final ProtocolSession.AttachmentKey<String> COMMAND_LINE =
        ProtocolSession.AttachmentKey.of("io.github.jamescbv.rcpt-line", String.class);
    static final ProtocolSession.AttachmentKey<HoldRequest> REQUEST =
        ProtocolSession.AttachmentKey.of("io.github.jamescbv.rcpt-hold-request", HoldRequest.class);

    /**
     * What the hook answers when it asks for a hold. Written to the client only if the hold could
     * not start after all (an unexpected failure), so it is the honest answer then.
     */
    static final HookResult PLACEHOLDER = HookResult.builder()
        .hookReturnCode(HookReturnCode.denySoft())
        .smtpReturnCode(SMTPRetCode.MAILBOX_TEMP_UNAVAILABLE)
        .smtpDescription(EnforcementRules.IN_PROGRESS_ENHANCED + " " + EnforcementRules.IN_PROGRESS_TEXT)
        .build();

    /**
     * A reply of no lines: James writes nothing. Its code is never sent, but must not be empty
     * (James's JMX statistics read its first character); "000" counts as neither success nor
     * failure there, so the statistics count the real answer, given when the command is replayed.
     */
    static final Response HELD = new Response() {
        @Override
        public String getRetCode() {
            return "000";
        }

        @Override
        public List<CharSequence> getLines() {
            return List.of();
        }

        @Override
        public boolean isEndSession() {
            return false;
        }
    };

    /** A hold the hook asked for, waiting for its reply to come through the result handlers. */
    static final class HoldRequest {
        final String line;
        final SessionChannel channel;
        final CompletionStage<?> completion;
        final Duration maxWait;
        final Consumer<HeldReply.Cause> beforeReplay;

        HoldRequest(String line, SessionChannel channel, CompletionStage<?> completion, Duration maxWait,
                    Consumer<HeldReply.Cause> beforeReplay) {
            this.line = line;
            this.channel = channel;
            this.completion = completion;
            this.maxWait = maxWait;
            this.beforeReplay = beforeReplay;
        }
    }

    private final ChannelAccess access;
    private final CbvMetrics metrics;

    RcptReplyGate(ChannelAccess access, CbvMetrics metrics) {
        this.access = access;
        this.metrics = metrics;
    }

    /** Moment 1: James starts on a RCPT command. */
    void noteCommand(SMTPSession session, Request request) {
        session.removeAttachment(REQUEST, ProtocolSession.State.Connection);
        String argument = request.getArgument();
        session.setAttachment(COMMAND_LINE, request.getCommand() + (argument == null ? "" : " " + argument) + "\r\n",
            ProtocolSession.State.Connection);
    }

    /**
     * Moment 2, from the RcptHook: asks for this RCPT's reply to be held until {@code completion}
     * or {@code maxWait}; {@code beforeReplay} runs on release, just before the command is
     * replayed. False when this session's reply cannot be held without a thread (another James
     * version, a session that is not Netty's): the caller then decides at once.
     */
    boolean requestHold(SMTPSession session, CompletionStage<?> completion, Duration maxWait,
                        Consumer<HeldReply.Cause> beforeReplay) {
        Optional<String> line = session.getAttachment(COMMAND_LINE, ProtocolSession.State.Connection);
        if (line.isEmpty()) {
            return false;
        }
        Optional<SessionChannel> channel = access.of(session);
        if (channel.isEmpty()) {
            return false;
        }
        session.setAttachment(REQUEST, new HoldRequest(line.get(), channel.get(), completion, maxWait, beforeReplay),
            ProtocolSession.State.Connection);
        return true;
    }

    /** Moment 3: every reply James is about to write passes here; only a requested hold is acted on. */
    Response onResponse(ProtocolSession session, Response response) {
        if (response == null || !(session instanceof SMTPSession)) {
            return response;
        }
        Optional<HoldRequest> request = session.removeAttachment(REQUEST, ProtocolSession.State.Connection);
        if (request.isEmpty()) {
            return response;
        }
        SMTPSession smtp = (SMTPSession) session;
        HoldRequest r = request.get();
        byte[] line = r.line.getBytes(StandardCharsets.US_ASCII);
        HeldReply reply = new HeldReply(smtp, r.channel, metrics, "RCPT TO", cause -> {
            r.beforeReplay.accept(cause);
            // James answers the replayed command itself, through the same path as a line just read.
            r.channel.replay(line);
            return null;
        });
        try {
            reply.hold(r.completion, r.maxWait);
            LOG.debug("session {}: reply to RCPT TO held for at most {} ms", smtp.getSessionID(), r.maxWait.toMillis());
            return HELD;
        } catch (RuntimeException e) {
            LOG.warn("holding the reply to RCPT TO failed for session {}: {}", smtp.getSessionID(), e.toString());
            try {
                reply.abandon();
            } catch (RuntimeException again) {
                LOG.warn("undoing the hold failed for session {}: {}", smtp.getSessionID(), again.toString());
            }
            return response;
        }
    }
}
