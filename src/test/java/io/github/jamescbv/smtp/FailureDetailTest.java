package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FailureDetailTest {

    @Test
    void aConnectFailureLosesTheAddressNettyAppendsAndIsLowerCase() {
        assertThat(FailureDetail.connectFailure(new ConnectException("Connection refused: /192.0.2.1:25")))
            .isEqualTo("connection refused");
        assertThat(FailureDetail.connectFailure(new ConnectException("Network is unreachable")))
            .isEqualTo("network is unreachable");
    }

    @Test
    void anExceptionWithoutMessageIsNamedByItsClass() {
        assertThat(FailureDetail.message(new IOException())).isEqualTo("IOException");
        assertThat(FailureDetail.message(new IOException(""))).isEqualTo("IOException");
    }

    @Test
    void aMessageIsCleanedAndBounded() {
        String m = FailureDetail.message(new IOException("reset by peer\r\nRCPT TO:<x@example.com>" + "z".repeat(500)));

        assertThat(m).startsWith("reset by peer??RCPT TO:").doesNotContain("\r", "\n").endsWith("z...")
            .hasSize(FailureDetail.MAX_LENGTH + "...".length());
    }

    @Test
    void aRemoteFailureSaysWhatTheRemoteDidWithoutNettysWrapping() {
        assertThat(FailureDetail.remoteFailure(new DecoderException(new SSLHandshakeException("Received fatal alert: handshake_failure"))))
            .isEqualTo("Received fatal alert: handshake_failure");
        assertThat(FailureDetail.remoteFailure(new SSLException("failure when writing TLS control frames",
            new IOException("Connection reset by peer")))).isEqualTo("Connection reset by peer");
        assertThat(FailureDetail.remoteFailure(new ClosedChannelException())).isEqualTo("connection closed by the remote");
    }

    @Test
    void clearTextInsteadOfTlsIsSaidWithoutNettysHexDumpOfIt() {
        // Netty's message carries what the remote sent, as hex: its text, under the remote's control.
        NotSslRecordException e = new NotSslRecordException("not an SSL/TLS record: 3530302077686174");

        assertThat(FailureDetail.remoteFailure(e)).isEqualTo("the remote answered with something other than TLS");
        assertThat(FailureDetail.remoteFailure(new DecoderException(e))).isEqualTo("the remote answered with something other than TLS");
    }

    @Test
    void brokenTlsRecordsAndBrokenConnectionsAreTheRemotesFaultAndNothingElseIs() {
        assertThat(FailureDetail.remoteFault(new DecoderException(new SSLException("bad record MAC")))).isTrue();
        assertThat(FailureDetail.remoteFault(new IOException("reset"))).isTrue();
        assertThat(FailureDetail.remoteFault(new IllegalStateException("a bug of ours"))).isFalse();
    }
}
