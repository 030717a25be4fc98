package io.github.jamescbv.smtp;

import io.github.jamescbv.core.SafeText;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import javax.net.ssl.SSLException;

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

    /**
     * Whether an exception from the pipeline is the remote's doing (a broken connection, or TLS
     * records that do not decode) rather than a bug of ours: the former is a failed connection,
     * the latter a warning in the log.
     */
    static boolean remoteFault(Throwable cause) {
        // Netty's SslHandler is the only decoder in a probe's pipeline: it wraps what it cannot read.
        return cause instanceof IOException || cause instanceof DecoderException;
    }

    /**
     * What the remote did to a connection (see {@link #remoteFault}), without Netty's wrapping: a
     * TLS alert ("Received fatal alert: handshake_failure"), a reset. Not Netty's text for a
     * server that answers without TLS: that one holds a hex dump of what the server sent.
     */
    static String remoteFailure(Throwable cause) {
        Throwable c = cause;
        while (c instanceof DecoderException && !(c instanceof NotSslRecordException) && c.getCause() != null) {
            c = c.getCause();
        }
        // Netty's "failure when writing TLS control frames" and the like: the broken connection under it says more.
        if (c instanceof SSLException && c.getCause() instanceof IOException && !(c.getCause() instanceof SSLException)) {
            c = c.getCause();
        }
        if (c instanceof NotSslRecordException) {
            return "the remote answered with something other than TLS";
        }
        if (c instanceof ClosedChannelException) {
            return "connection closed by the remote";
        }
        return message(c);
    }
}
