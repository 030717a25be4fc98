package io.github.jamescbv.james;

import io.github.jamescbv.config.Settings;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.SafeText;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * SMTP-time enforcement, as configured: {@code <action>}, {@code <rcptMaxWait>},
 * {@code <rejectMessage>} and {@code <rejectOnPolicyError>}. Checked on construction; an
 * {@link IllegalArgumentException} names the bad value.
 */
public final class EnforcementSettings {
    public static final Duration DEFAULT_RCPT_MAX_WAIT = Settings.RCPT_MAX_WAIT.defaultValue();
    /**
     * RFC 5321 4.5.3.2.3: a client waits 5 minutes for the reply to RCPT TO. Holding it longer
     * only makes clients give up and send the whole transaction again.
     */
    public static final Duration MAX_RCPT_MAX_WAIT = Duration.ofMinutes(5);
    /**
     * A reply line is at most 512 octets with its code and CRLF (RFC 5321 4.5.3.1.5); the
     * codes take 10, and a remote's text quoted in ours must fit too.
     */
    public static final int MAX_REJECT_MESSAGE = 400;

    /** Attribute only: nothing refused at SMTP time. */
    public static final EnforcementSettings DEFAULTS =
        new EnforcementSettings(EnforcementAction.RECORD, DEFAULT_RCPT_MAX_WAIT, Optional.empty(), false);

    private final EnforcementAction action;
    private final Duration rcptMaxWait;
    private final Optional<String> rejectMessage;
    private final boolean rejectOnPolicyError;

    public EnforcementSettings(EnforcementAction action, Duration rcptMaxWait, Optional<String> rejectMessage,
                               boolean rejectOnPolicyError) {
        this.action = Objects.requireNonNull(action, "action");
        if (rcptMaxWait.isNegative() || rcptMaxWait.compareTo(MAX_RCPT_MAX_WAIT) > 0) {
            throw new IllegalArgumentException("bad rcptMaxWait '" + Durations.format(rcptMaxWait)
                + "' (expected 0s to " + Durations.format(MAX_RCPT_MAX_WAIT)
                + ": clients give up waiting for the reply to RCPT TO after 5 minutes)");
        }
        this.rcptMaxWait = rcptMaxWait;
        this.rejectMessage = rejectMessage.map(EnforcementSettings::checkRejectMessage);
        this.rejectOnPolicyError = rejectOnPolicyError;
    }

    /**
     * The text goes into an SMTP reply line as it is: printable ASCII only (no CR/LF, which
     * would let it forge a second reply), not blank, and short enough for one line.
     */
    static String checkRejectMessage(String message) {
        String m = message.trim();
        if (m.isEmpty()) {
            throw new IllegalArgumentException("empty rejectMessage (leave the element out for the default text)");
        }
        if (m.length() > MAX_REJECT_MESSAGE) {
            throw new IllegalArgumentException("rejectMessage '" + SafeText.clean(m, 60) + "' is longer than "
                + MAX_REJECT_MESSAGE + " characters");
        }
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("rejectMessage '" + SafeText.clean(m, 80)
                    + "' has a character that cannot go into an SMTP reply (printable ASCII only, one line)");
            }
        }
        return m;
    }

    public EnforcementAction action() {
        return action;
    }

    /** How long the reply to the first local RCPT TO may be held for a verdict still on its way. */
    public Duration rcptMaxWait() {
        return rcptMaxWait;
    }

    /** Text that replaces ours after the codes of a 550 5.1.7 / 450 4.1.7 reply. */
    public Optional<String> rejectMessage() {
        return rejectMessage;
    }

    /** Whether an error that is a policy rejection of us (5.7.x at MAIL FROM, 5xx at connect or greeting) is enforced. */
    public boolean rejectOnPolicyError() {
        return rejectOnPolicyError;
    }

    @Override
    public String toString() {
        return "action=" + action.word() + " rcptMaxWait=" + Durations.format(rcptMaxWait)
            + " rejectOnPolicyError=" + rejectOnPolicyError
            + rejectMessage.map(m -> " rejectMessage=\"" + m + "\"").orElse("");
    }
}
