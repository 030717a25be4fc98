package io.github.jamescbv.policy;

import io.github.jamescbv.core.Stage;

/**
 * What a verdict is knowledge about, decided by the stage that produced it. Anything decided
 * before RCPT TO (DNS, the connection, the greeting, HELO, STARTTLS, MAIL FROM, our own target policy)
 * never looked at the address, so it is knowledge about the whole domain; only RCPT TO
 * speaks about the address. An internal failure is knowledge about nothing.
 *
 * <p>{@link #ACCEPT_ALL} is no stage's scope: it holds one fact about a domain (it accepted a
 * random local part), kept apart from {@link #DOMAIN} because it must never answer for an
 * address of the domain the way a domain-level verdict does.
 */
public enum CacheScope {
    ADDRESS, DOMAIN, ACCEPT_ALL, NONE;

    static CacheScope of(Stage stage) {
        switch (stage) {
            case RCPT:
                return ADDRESS;
            case DNS:
            case CONNECT:
            case GREETING:
            case HELO:
            case TLS:
            case MAIL:
            case POLICY:
                return DOMAIN;
            default:
                return NONE;
        }
    }
}
