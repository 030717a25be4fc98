package io.github.jamescbv.james;

import java.util.Locale;
import java.util.Optional;

/**
 * What the handler does with a verdict while the client is still talking to us: the
 * {@code <action>} element. Whatever the action, the verdict also becomes the Mail attribute of
 * a mail that is accepted.
 */
public enum EnforcementAction {
    /** Attribute only; nothing is refused at SMTP time (the default, and the seed's behaviour). */
    RECORD,
    /** Refuse the first local RCPT TO (and the later ones) when the result is {@code error}. */
    REJECT,
    /** As {@link #REJECT}, and also answer a temporary failure when the result is {@code transient}. */
    DEFER,
    /**
     * A dry run of {@link #REJECT}, as Postfix's {@code warn_if_reject}: nothing is refused and no
     * reply is held, but what reject would have answered is logged.
     */
    WARN;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<EnforcementAction> parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (EnforcementAction a : values()) {
            if (a.word().equals(v)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Whether the RCPT reply is held back for a verdict still on its way. */
    boolean holdsRcpt() {
        return this == REJECT || this == DEFER;
    }
}
