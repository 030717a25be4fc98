package io.github.jamescbv.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Where one callback goes, after the domain map: the domain called back, the address
 * given in RCPT TO, and either the domain whose MX hosts to use or one host named directly.
 */
public final class CallbackTarget {
    private final EmailAddress original;
    private final String domain;
    private final EmailAddress recipient;
    private final String directHost;
    private final int directPort;

    private CallbackTarget(EmailAddress original, String domain, EmailAddress recipient, String directHost, int directPort) {
        this.original = Objects.requireNonNull(original);
        this.domain = domain;
        this.recipient = recipient;
        this.directHost = directHost;
        this.directPort = directPort;
    }

    /** Call back the MX hosts of {@code recipient}'s domain, which is not mapped. */
    public static CallbackTarget viaMx(EmailAddress recipient) {
        return viaMx(recipient, recipient);
    }

    /** Call back the MX hosts of {@code recipient}'s domain, for {@code original} (the address before the map). */
    public static CallbackTarget viaMx(EmailAddress original, EmailAddress recipient) {
        return new CallbackTarget(original, recipient.domain(), recipient, null, 0);
    }

    /** Call back {@code host} directly (port 0 = the configured port), keeping {@code recipient}. */
    public static CallbackTarget direct(EmailAddress recipient, String host, int port) {
        return new CallbackTarget(recipient, recipient.domain(), recipient, Objects.requireNonNull(host), port);
    }

    /** The address asked about, before the domain map. */
    public EmailAddress original() {
        return original;
    }

    /** Whether the domain map sent this callback elsewhere than the original address's MX hosts. */
    public boolean mapped() {
        return !recipient.equals(original) || directHost != null;
    }

    /** The domain called back: the MX domain, or the original domain for a direct host. */
    public String domain() {
        return domain;
    }

    /** The address put into RCPT TO. */
    public EmailAddress recipient() {
        return recipient;
    }

    /** A host named directly by the map, instead of an MX lookup. */
    public Optional<String> directHost() {
        return Optional.ofNullable(directHost);
    }

    /** The port of a direct host; 0 means the configured port. */
    public int directPort() {
        return directPort;
    }

    @Override
    public String toString() {
        return recipient + (directHost == null ? " via MX of " + domain : " via [" + directHost + "]:" + directPort);
    }
}
