package io.github.jamescbv.smtp;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.SafeText;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A probe connection's dialog as it happens, one line per event, to the probe's
 * {@link DialogListener} and the debug log. Every line is sanitised here, in one place, because
 * much of it comes from the remote (replies, error messages) and must not reach a log unchecked.
 */
final class Transcript {
    // The session's logger: operators enable the probe dialog under the name they know.
    private static final Logger LOG = LoggerFactory.getLogger(ProbeSession.class);
    /** Room for a whole reply line plus the "<- " marker. */
    static final int MAX_LINE_LENGTH = ReplyParser.MAX_LINE_OCTETS + 16;

    private final String peer;
    private final DialogListener listener;
    // Only a hint for logging: a rare second warning from a racing abort() would be harmless.
    private volatile boolean listenerFailed;

    Transcript(Route route, DialogListener listener) {
        this.peer = describe(route.address()) + " (" + SafeText.clean(route.mxHost(), 255) + ")";
        this.listener = listener;
    }

    /** The remote as the log names it: address, port and MX host name, e.g. {@code 192.0.2.1:25 (mx.example.com)}. */
    String peer() {
        return peer;
    }

    /** Reports one event; a listener that throws is logged (once) and otherwise ignored. */
    void line(String line) {
        String safe = SafeText.clean(line, MAX_LINE_LENGTH);
        LOG.debug("{} {}", peer, safe);
        try {
            listener.onLine(safe);
        } catch (RuntimeException e) { // someone else's bug must not stall the probe
            if (!listenerFailed) { // once per probe is enough to find it
                listenerFailed = true;
                LOG.warn("{}: dialog listener failed", peer, e);
            }
        }
    }

    private static String describe(InetSocketAddress target) {
        String host = target.getAddress() == null ? target.getHostString() : target.getAddress().getHostAddress();
        boolean v6 = target.getAddress() instanceof Inet6Address;
        return (v6 ? "[" + host + "]" : host) + ":" + target.getPort();
    }
}
