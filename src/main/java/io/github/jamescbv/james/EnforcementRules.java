package io.github.jamescbv.james;

import io.github.jamescbv.core.PolicyRejection;
import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.core.Verdict;
import java.util.Optional;
import java.util.StringJoiner;
import org.apache.james.protocols.smtp.dsn.DSNStatus;

/**
 * The decision, and nothing else: verdict x action x rejectOnPolicyError -> the RCPT answer.
 *
 * <p>The codes are the sender-specific ones of RFC 3463, {@code 5.1.7} / {@code 4.1.7} (bad
 * sender's mailbox address) rather than the recipient's {@code 5.1.1}: a relay that forwards our
 * refusal must not conclude that the <em>recipient</em> does not exist.
 */
final class EnforcementRules {
    /** Not yet authorised (RFC 3463 X.7.1), as Postfix's verify answers while a probe is running. */
    static final String IN_PROGRESS_ENHANCED = DSNStatus.getStatus(DSNStatus.TRANSIENT, DSNStatus.SECURITY_AUTH);
    static final String SENDER_REJECTED_ENHANCED = DSNStatus.getStatus(DSNStatus.PERMANENT, DSNStatus.ADDRESS_SYNTAX_SENDER);
    static final String SENDER_DEFERRED_ENHANCED = DSNStatus.getStatus(DSNStatus.TRANSIENT, DSNStatus.ADDRESS_SYNTAX_SENDER);
    static final String IN_PROGRESS_TEXT = "Sender address verification in progress, try again later";
    static final String REJECTED = "Sender address rejected: ";
    /** Our text after the codes; the line stays under RFC 5321's 512 octets. */
    static final int MAX_TEXT = EnforcementSettings.MAX_REJECT_MESSAGE;

    private final EnforcementSettings settings;

    EnforcementRules(EnforcementSettings settings) {
        this.settings = settings;
    }

    /**
     * @param action  the action to decide for ({@link EnforcementAction#WARN} callers ask what
     *                {@link EnforcementAction#REJECT} would do)
     * @param verdict empty when the verification was still running when we stopped waiting
     */
    RcptAnswer answer(EnforcementAction action, Optional<Verdict> verdict) {
        if (!action.holdsRcpt()) {
            return RcptAnswer.accept("action " + action.word() + " refuses nothing");
        }
        if (verdict.isEmpty()) {
            // Postfix's way: a client that is told to come back later finds the verdict in the cache.
            return action == EnforcementAction.DEFER
                ? RcptAnswer.defer(IN_PROGRESS_ENHANCED, IN_PROGRESS_TEXT)
                : RcptAnswer.accept("verification still in progress after rcptMaxWait: accepted, transient");
        }
        Verdict v = verdict.get();
        switch (v.result()) {
            case PASS:
                return RcptAnswer.accept("pass");
            case ERROR:
                if (PolicyRejection.isPolicyRejection(v) && !settings.rejectOnPolicyError()) {
                    return RcptAnswer.accept("error is a policy rejection of us, not of the address,"
                        + " and rejectOnPolicyError is false");
                }
                return RcptAnswer.reject(SENDER_REJECTED_ENHANCED, text(v));
            case TRANSIENT:
            default:
                return action == EnforcementAction.DEFER
                    ? RcptAnswer.defer(SENDER_DEFERRED_ENHANCED, text(v))
                    : RcptAnswer.accept("transient: reject lets it through");
        }
    }

    private String text(Verdict v) {
        return settings.rejectMessage().orElseGet(() -> SafeText.clean(REJECTED + reason(v), MAX_TEXT));
    }

    /** The stage and the remote's answer, e.g. {@code callback at RCPT TO: 550 5.1.1 User unknown}. */
    static String reason(Verdict v) {
        StringJoiner answer = new StringJoiner(" ");
        if (v.code() != 0) {
            answer.add(Integer.toString(v.code()));
        }
        if (!v.enhancedCode().isEmpty()) {
            answer.add(v.enhancedCode());
        }
        if (!v.text().isEmpty()) {
            answer.add(v.text());
        }
        String said = answer.length() == 0 ? "no answer" : answer.toString();
        return "callback at " + stageName(v) + ": " + said;
    }

    private static String stageName(Verdict v) {
        switch (v.stage()) {
            case DNS:
                return "DNS";
            case HELO:
                return "HELO";
            case MAIL:
                return "MAIL FROM";
            case RCPT:
                return "RCPT TO";
            case TLS:
                return "STARTTLS";
            default:
                return v.stage().word();
        }
    }
}
