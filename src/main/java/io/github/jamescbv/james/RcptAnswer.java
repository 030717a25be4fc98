package io.github.jamescbv.james;

import java.util.Objects;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

/**
 * What the RCPT hook answers for the transaction's verdict: go on (James decides, as if we were
 * not there), or refuse the recipient with our own code, enhanced code and text. Never OK, which
 * would skip James's relay check.
 */
final class RcptAnswer {
    enum Kind { ACCEPT, REJECT, DEFER }

    private final Kind kind;
    private final String code;
    private final String enhancedCode;
    private final String text;

    private RcptAnswer(Kind kind, String code, String enhancedCode, String text) {
        this.kind = kind;
        this.code = code;
        this.enhancedCode = enhancedCode;
        this.text = text;
    }

    /** Nothing refused; {@code why} is for the log. */
    static RcptAnswer accept(String why) {
        return new RcptAnswer(Kind.ACCEPT, "", "", why);
    }

    static RcptAnswer reject(String enhancedCode, String text) {
        return new RcptAnswer(Kind.REJECT, SMTPRetCode.MAILBOX_PERM_UNAVAILABLE, enhancedCode, text);
    }

    static RcptAnswer defer(String enhancedCode, String text) {
        return new RcptAnswer(Kind.DEFER, SMTPRetCode.MAILBOX_TEMP_UNAVAILABLE, enhancedCode, text);
    }

    Kind kind() {
        return kind;
    }

    boolean refuses() {
        return kind != Kind.ACCEPT;
    }

    /** The reply line as the client sees it, e.g. {@code 550 5.1.7 Sender address rejected: ...}; for ACCEPT, why. */
    String reply() {
        return refuses() ? code + " " + enhancedCode + " " + text : text;
    }

    HookResult hookResult() {
        if (!refuses()) {
            return HookResult.DECLINED;
        }
        return HookResult.builder()
            .hookReturnCode(kind == Kind.REJECT ? HookReturnCode.deny() : HookReturnCode.denySoft())
            .smtpReturnCode(code)
            .smtpDescription(enhancedCode + " " + text)
            .build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RcptAnswer)) {
            return false;
        }
        RcptAnswer a = (RcptAnswer) o;
        return kind == a.kind && code.equals(a.code) && enhancedCode.equals(a.enhancedCode) && text.equals(a.text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, code, enhancedCode, text);
    }

    @Override
    public String toString() {
        return kind + " " + reply();
    }
}
