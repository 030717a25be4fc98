package io.github.jamescbv.core;

import java.util.Locale;

/**
 * Where in the verification the verdict was decided. New stages go at the end: caches and shared
 * stores keep a stage by its ordinal.
 */
public enum Stage {
    DNS, CONNECT, GREETING, HELO, MAIL, RCPT, POLICY, INTERNAL,
    /** STARTTLS and the TLS handshake after it (between EHLO and the EHLO that follows inside TLS). */
    TLS;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
