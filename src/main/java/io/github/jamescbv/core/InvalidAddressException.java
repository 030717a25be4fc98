package io.github.jamescbv.core;

/** An address that must not be put into an SMTP command; the message says why and is safe to log. */
public final class InvalidAddressException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidAddressException(String message) {
        super(message);
    }
}
