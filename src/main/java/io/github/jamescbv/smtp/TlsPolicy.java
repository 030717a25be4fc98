package io.github.jamescbv.smtp;

/**
 * Whether a probe connection uses TLS. Part of a {@link Route}: a connection made under one
 * policy must never be taken for one made under another (a clear-text connection handed to a
 * probe that asked for STARTTLS would silently lose what it asked for).
 */
public enum TlsPolicy {
    /** Clear text throughout, whatever the server offers: all the probe does today. */
    NONE
}
