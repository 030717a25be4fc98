package io.github.jamescbv.verify;

/**
 * Whether an {@code error} verdict is the remote refusing <em>us</em> rather than the address:
 * a 5xx with an RFC 3463 enhanced code 5.7.x (security or policy status) at MAIL FROM, or a 5xx
 * at connect or greeting, before any address was named. Such an answer says we are blocklisted
 * or our probe sender is not welcome; it says nothing about whether the sender exists.
 */
public final class PolicyRejection {
    private PolicyRejection() {
    }

    public static boolean isPolicyRejection(Verdict v) {
        if (v.result() != Result.ERROR || v.code() < 500 || v.code() > 599) {
            return false;
        }
        switch (v.stage()) {
            case MAIL:
                return v.enhancedCode().startsWith("5.7.");
            case CONNECT:
            case GREETING:
                return true;
            default:
                return false;
        }
    }
}
