package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
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
}
