package io.github.jamescbv.smtp;

import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.core.Verdict;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;

/**
 * The TLS side of the probes of one {@link NettyProbeClient}: the JDK's TLS (no library of our
 * own), one {@link SSLContext} for all of them, and a Netty {@link SslHandler} for each
 * connection that says STARTTLS. Sharing the context shares its session cache, so a later probe
 * of the same address resumes a session (TLS 1.3 tickets) rather than make a whole handshake.
 *
 * <p>Thread-safe: an {@code SSLContext} hands out engines to any thread.
 */
final class TlsClient {
    /**
     * Bound on flushing our close_notify when a TLS connection closes; the wait for the server's
     * is not made at all (Netty's default). Short: the outcome is known by then.
     */
    private static final long CLOSE_NOTIFY_FLUSH_MILLIS = 1000;
    /**
     * Sessions kept for resumption: the JDK's default (20,480 for a day) would let a verifier
     * that meets many mail hosts hold tens of megabytes of them (each with its server's
     * certificates). An hour, as Postfix's {@code smtp_tls_session_cache_timeout}; a thousand
     * hosts asked again within it is plenty. A resumed session saves the server its signature,
     * not us our key exchange (docs/BENCHMARKS.md, "STARTTLS").
     */
    static final int SESSION_CACHE_SIZE = 1024;
    static final Duration SESSION_LIFETIME = Duration.ofHours(1);

    private final SSLContext context;

    TlsClient() {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new UncheckedServerCertificate()}, null);
            SSLSessionContext sessions = tls.getClientSessionContext();
            sessions.setSessionCacheSize(SESSION_CACHE_SIZE);
            sessions.setSessionTimeout((int) SESSION_LIFETIME.toSeconds());
            this.context = tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM offers no TLS client: " + e, e);
        }
    }

    /**
     * A client-side handler for a connection to {@code peer}, to be added to its pipeline when the
     * server has said 220 to STARTTLS; the handshake starts as it is added. It has no timeout of
     * its own: the connection's {@link DialogTimer} bounds the handshake like any reply.
     */
    SslHandler handler(InetSocketAddress peer) {
        // Named by its address, not its MX name: the session cache is keyed by it, and no server
        // name (SNI) is sent, as Postfix and Exim send none by default.
        SSLEngine engine = context.createSSLEngine(peer.getAddress().getHostAddress(), peer.getPort());
        engine.setUseClientMode(true);
        SslHandler ssl = new SslHandler(engine);
        ssl.setHandshakeTimeoutMillis(0);
        ssl.setCloseNotifyFlushTimeoutMillis(CLOSE_NOTIFY_FLUSH_MILLIS);
        return ssl;
    }

    /** What an established session is, as verdicts and transcripts say it: {@code TLSv1.3 TLS_AES_256_GCM_SHA384}. */
    static String describe(SSLSession session) {
        return SafeText.clean(session.getProtocol() + " " + session.getCipherSuite(), Verdict.MAX_TLS_LENGTH);
    }
}
