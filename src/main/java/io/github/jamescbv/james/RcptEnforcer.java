package io.github.jamescbv.james;

import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.core.Verdict;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP-time enforcement at RCPT TO: answers each local recipient of a verified transaction
 * from the verdict, holding the first one's reply (see {@link RcptReplyGate}) while the verdict
 * is on its way, for at most {@code rcptMaxWait}. The answer is decided once per transaction:
 * later recipients get the same one without a second wait.
 *
 * <p>Runs on the session's event loop, inside James's RCPT hooks; per-transaction state lives in
 * the session, so James forgets it on RSET, HELO/EHLO and after DATA.
 */
final class RcptEnforcer {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackVerifyHandler.class);
    private static final int MAX_LOGGED_ADDRESS = 256;

    static final ProtocolSession.AttachmentKey<State> KEY =
        ProtocolSession.AttachmentKey.of("io.github.jamescbv.rcpt-enforcement", State.class);

    /** The transaction's answer once decided, and whether waiting for the verdict already ran out. */
    static final class State {
        RcptAnswer answer;
        boolean waitedOut;
    }

    private final EnforcementSettings settings;
    private final EnforcementRules rules;
    private final RcptReplyGate gate;
    private final CbvMetrics metrics;

    RcptEnforcer(EnforcementSettings settings, RcptReplyGate gate, CbvMetrics metrics) {
        this.settings = settings;
        this.rules = new EnforcementRules(settings);
        this.gate = gate;
        this.metrics = metrics;
    }

    /** Whether RCPT commands must be noted for a possible hold. */
    boolean holdsRcpt() {
        return settings.action().holdsRcpt() && !settings.rcptMaxWait().isZero();
    }

    /**
     * For a recipient in one of our domains, in a transaction whose sender is being (or was)
     * verified. Returns DECLINED (James goes on), a refusal, or {@link RcptReplyGate#PLACEHOLDER}
     * when the reply is now held and the command will be replayed.
     */
    HookResult onLocalRecipient(SMTPSession session, MaybeSender sender, MailAddress rcpt, PendingVerdict pending) {
        EnforcementAction action = settings.action();
        if (action == EnforcementAction.RECORD || isPostmasterOrAbuse(rcpt)) {
            // RFC 5321 4.5.1: postmaster must be reachable, by the sender we refuse above all.
            return HookResult.DECLINED;
        }
        State state = session.getAttachment(KEY, ProtocolSession.State.Transaction).orElse(null);
        if (state == null) {
            state = new State();
            session.setAttachment(KEY, state, ProtocolSession.State.Transaction);
        }
        if (state.answer != null) {
            return state.answer.hookResult();
        }
        if (action == EnforcementAction.WARN) {
            // A dry run refuses nothing, so it delays nothing either: the log line comes with the verdict.
            state.answer = RcptAnswer.accept("action warn");
            logWhatRejectWouldDo(session.getSessionID(), sender, pending);
            return HookResult.DECLINED;
        }
        Optional<Verdict> known = pending.now();
        if (known.isEmpty() && !state.waitedOut && holdsRcpt()) {
            State s = state;
            if (gate.requestHold(session, pending.completion(), settings.rcptMaxWait(), cause -> {
                if (cause == HeldReply.Cause.TIMEOUT) {
                    s.waitedOut = true;
                }
            })) {
                return RcptReplyGate.PLACEHOLDER;
            }
            metrics.blockingWait();
            pending.awaitAtMost(fallbackBlock());
            known = pending.now();
        }
        RcptAnswer answer = rules.answer(action, known);
        state.answer = answer;
        report(session.getSessionID(), sender, answer);
        return answer.hookResult();
    }

    private void report(String sessionId, MaybeSender sender, RcptAnswer answer) {
        switch (answer.kind()) {
            case REJECT:
                metrics.rcptRejected();
                LOG.info("rejecting recipients of session {} sender={}: {}", sessionId, loggable(sender), answer.reply());
                break;
            case DEFER:
                metrics.rcptDeferred();
                LOG.info("deferring recipients of session {} sender={}: {}", sessionId, loggable(sender), answer.reply());
                break;
            default:
                LOG.debug("not refusing recipients of session {} sender={}: {}", sessionId, loggable(sender), answer.reply());
        }
    }

    /**
     * Logs, once the verdict is in, the reply {@code reject} would have given: what it would have
     * waited for is the verdict arriving within rcptMaxWait of this RCPT.
     */
    private void logWhatRejectWouldDo(String sessionId, MaybeSender sender, PendingVerdict pending) {
        long startNanos = System.nanoTime();
        String who = loggable(sender);
        pending.completion().whenComplete((verdict, e) -> {
            // Possibly on an engine thread: only thread-safe things here (the logger, the metrics).
            try {
                boolean inTime = verdict != null && System.nanoTime() - startNanos <= settings.rcptMaxWait().toNanos();
                RcptAnswer would = rules.answer(EnforcementAction.REJECT, inTime ? Optional.of(verdict) : Optional.empty());
                if (would.refuses()) {
                    metrics.rcptWouldReject();
                    LOG.info("would reject recipients of session {} sender={}: {} (action warn: accepted)", sessionId, who,
                        would.reply());
                } else {
                    LOG.debug("reject would not refuse session {} sender={}: {}", sessionId, who, would.reply());
                }
            } catch (RuntimeException ex) {
                LOG.warn("logging what reject would do failed: {}", ex.toString());
            }
        });
    }

    private Duration fallbackBlock() {
        Duration max = settings.rcptMaxWait();
        return max.compareTo(DataReplyGate.FALLBACK_MAX_BLOCK) < 0 ? max : DataReplyGate.FALLBACK_MAX_BLOCK;
    }

    /** The two mailboxes James's own PostmasterAbuseRcptHook accepts for every local domain. */
    private static boolean isPostmasterOrAbuse(MailAddress rcpt) {
        String local = rcpt.getLocalPart().toLowerCase(Locale.ROOT);
        return local.equals("postmaster") || local.equals("abuse");
    }

    private static String loggable(MaybeSender sender) {
        return SafeText.clean(sender == null ? "" : sender.asString(), MAX_LOGGED_ADDRESS);
    }
}
