package io.github.jamescbv.smtp;

import io.github.jamescbv.core.SafeText;
import java.util.Locale;

/**
 * Whether a probe connection uses TLS (STARTTLS, RFC 3207). Part of a {@link Route}: a connection
 * made under one policy must never be taken for one made under another (a clear-text connection
 * handed to a probe that asked for STARTTLS would silently lose what it asked for).
 *
 * <p>No policy checks the server's certificate, as Postfix's {@code may} and {@code encrypt} do
 * not: an MX host's certificate rarely names it, and a callback must not fail for that. TLS here
 * keeps the probe (the sender's address) from being read on the way, not from a server that
 * pretends to be another.
 */
public enum TlsPolicy {
    /** Clear text throughout, whatever the server offers. */
    NONE,
    /**
     * STARTTLS when EHLO offers it; clear text when it does not. When STARTTLS is refused or the
     * handshake fails, the probe asks the same address once more in clear text (Postfix's
     * opportunistic TLS, which it falls back from for probes).
     */
    MAY,
    /** TLS or nothing: an address that does not offer STARTTLS, or whose handshake fails, is not asked. */
    ENCRYPT;

    /** As configured: {@code none}, {@code may}, {@code encrypt}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the bad value */
    public static TlsPolicy parse(String text) {
        String t = text == null ? "" : text.trim();
        for (TlsPolicy p : values()) {
            if (p.word().equalsIgnoreCase(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("bad tls '" + SafeText.clean(t, 40) + "' (expected may, none or encrypt)");
    }
}
