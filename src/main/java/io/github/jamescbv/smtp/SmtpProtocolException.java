package io.github.jamescbv.smtp;

import io.github.jamescbv.core.SafeText;

/**
 * The remote broke the SMTP reply syntax or one of our limits: a malformed line, an over-long
 * line, too many lines, mixed codes. The message is already sanitised and safe to log.
 */
public final class SmtpProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public SmtpProtocolException(String message) {
        super(SafeText.clean(message, 300));
    }
}
