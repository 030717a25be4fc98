package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import org.junit.jupiter.api.Test;

/** The TLS side of the probes as it is set up: a client, no certificate checked, bounded sessions, no own timeout. */
class TlsClientTest {

    @Test
    void aHandlerIsAClientWithoutAServerNameOrATimeoutOfItsOwn() {
        SslHandler ssl = new TlsClient().handler(new InetSocketAddress("192.0.2.25", 25));

        assertThat(ssl.engine().getUseClientMode()).isTrue();
        assertThat(ssl.engine().getPeerHost()).as("the session cache's key: the address").isEqualTo("192.0.2.25");
        assertThat(ssl.engine().getSSLParameters().getServerNames()).as("no SNI").isNullOrEmpty();
        assertThat(ssl.engine().getSSLParameters().getEndpointIdentificationAlgorithm()).as("no name check").isNull();
        assertThat(ssl.getHandshakeTimeoutMillis()).as("the DialogTimer bounds it").isZero();
    }

    @Test
    void theCertificateIsNeitherCheckedNorReadAndClientsAreNeverTrusted() {
        UncheckedServerCertificate trust = new UncheckedServerCertificate();

        trust.checkServerTrusted(null, "RSA");
        assertThat(trust.getAcceptedIssuers()).isEmpty();
        assertThatThrownBy(() -> trust.checkClientTrusted(null, "RSA")).isInstanceOf(CertificateException.class);
    }
}
