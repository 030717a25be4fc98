package io.github.jamescbv.smtp;

import io.github.jamescbv.core.SafeText;
import java.util.Locale;

/**
 * Short, sanitised texts for what went wrong, as outcomes and the transcript give them. Exception
 * messages can carry text from the remote or the resolver, so they are cleaned and bounded here.
 */
final class FailureDetail {
    /** Bound on an exception's message: enough to tell one failure from another. */
    static final int MAX_LENGTH = 200;

    private FailureDetail() {
    }

    /** The exception's message, or its class name when it has none. */
    static String message(Throwable cause) {
        String m = cause.getMessage();
        return SafeText.clean(m == null || m.isEmpty() ? cause.getClass().getSimpleName() : m, MAX_LENGTH);
    }

    /** Why a connect failed, e.g. "connection refused", without the address the transcript named already. */
    static String connectFailure(Throwable cause) {
        // Netty's messages look like "Connection refused: /192.0.2.1:25".
        String m = message(cause);
        int cut = m.indexOf(": /");
        return (cut > 0 ? m.substring(0, cut) : m).toLowerCase(Locale.ROOT);
    }
}
