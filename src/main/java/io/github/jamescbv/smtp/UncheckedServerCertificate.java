package io.github.jamescbv.smtp;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts whatever certificate a mail server shows, as Postfix's {@code may} and {@code encrypt}
 * levels do: an MX host's certificate is often self-signed or issued to another name, and a
 * callback must not fail for it (see {@link TlsPolicy}). The handshake still proves that the
 * server holds the key of the certificate it sent, and the session is still encrypted.
 *
 * <p>Ours rather than Netty's {@code InsecureTrustManagerFactory}, which logs each certificate's
 * subject: text chosen by the remote, which must not reach a log unchecked. This one reads
 * nothing, logs nothing, and is never asked about clients (the probe is no server).
 */
final class UncheckedServerCertificate extends X509ExtendedTrustManager {
    private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        // accepted, unread: see the class comment
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // accepted, unread
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // accepted, unread
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the probe authenticates no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the probe authenticates no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the probe authenticates no clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NO_ISSUERS.clone();
    }
}
