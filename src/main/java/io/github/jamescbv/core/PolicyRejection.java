package io.github.jamescbv.core;

import java.util.Locale;

/**
 * Whether an {@code error} verdict is the remote refusing <em>us</em> rather than the address.
 * Such an answer says we are blocklisted or our probe sender is not welcome; it says nothing
 * about whether the sender exists, so enforcement must not refuse a real sender on it.
 *
 * <ul>
 *   <li>Any 5xx at connect, greeting or MAIL FROM: no address had been named yet.</li>
 *   <li>A 5xx at RCPT TO whose RFC 3463 enhanced code is about policy (5.7.x) or about the
 *   sender, that is our probe sender (5.1.7 bad sender mailbox, 5.1.8 bad sender system), or
 *   whose text says "Sender address rejected". The last two matter because Postfix, with its
 *   default {@code smtpd_delay_reject = yes}, refuses the null sender only at RCPT TO
 *   ({@code 554 5.7.1 <>: Sender address rejected}), and so do sites that check the sender
 *   there; a "no such user" is 5.1.1, 5.1.0 or bare 550 and stays a plain error.</li>
 * </ul>
 */
public final class PolicyRejection {
    private static final String SENDER_REJECTED = "sender address rejected";
    /** RFC 3463 enhanced codes, named here because the engine is free of James's types (DSNStatus). */
    private static final String SECURITY_OR_POLICY_CLASS = "5.7.";
    private static final String BAD_SENDER_MAILBOX = "5.1.7";
    private static final String BAD_SENDER_SYSTEM = "5.1.8";

    private PolicyRejection() {
    }

    public static boolean isPolicyRejection(Verdict v) {
        if (v.result() != Result.ERROR || v.code() < 500 || v.code() > 599) {
            return false;
        }
        switch (v.stage()) {
            case CONNECT:
            case GREETING:
            case MAIL:
                return true;
            case RCPT:
                return refusesTheProbeAtRcpt(v);
            default:
                return false;
        }
    }

    private static boolean refusesTheProbeAtRcpt(Verdict v) {
        String enhanced = v.enhancedCode();
        return enhanced.startsWith(SECURITY_OR_POLICY_CLASS) || enhanced.equals(BAD_SENDER_MAILBOX)
            || enhanced.equals(BAD_SENDER_SYSTEM)
            || v.text().toLowerCase(Locale.ROOT).contains(SENDER_REJECTED);
    }
}
