package io.github.jamescbv.james;

import java.util.Locale;
import java.util.Optional;

/** When the callback for a sender starts: Momentum's {@code phase}. */
public enum Phase {
    /** At MAIL FROM, for every sender James accepts from an outside client. */
    MAILFROM,
    /**
     * At the first RCPT TO whose domain is one of James's local domains: never for relay
     * attempts, so an outsider cannot make James probe third parties by naming foreign recipients.
     */
    RCPTTO;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Phase> parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (Phase p : values()) {
            if (p.word().equals(v)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
