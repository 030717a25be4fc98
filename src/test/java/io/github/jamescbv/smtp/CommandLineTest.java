package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void theVerbIsTheTextBeforeTheFirstSpace() {
        assertThat(CommandLine.verb("MAIL FROM:<>")).isEqualTo("MAIL");
        assertThat(CommandLine.verb("RSET")).isEqualTo("RSET");
    }

    @Test
    void theVerbIsCleanedAndBounded() {
        // SafeText marks a cut with "...".
        assertThat(CommandLine.verb("MAIL\r\nRCPTTTTTTTTTTT TO:<x@example.com>")).isEqualTo("MAIL??RCPT...");
    }

    @Test
    void aCommandIsEncodedWithCrlf() {
        ByteBuf buf = CommandLine.encode(UnpooledByteBufAllocator.DEFAULT, "RSET");
        try {
            assertThat(buf.toString(StandardCharsets.US_ASCII)).isEqualTo("RSET\r\n");
        } finally {
            buf.release();
        }
    }

    @Test
    void aLineBreakOrAnOverlongCommandIsRefused() {
        assertThatThrownBy(() -> CommandLine.check("EHLO a\r\nRSET")).hasMessageContaining("CR, LF or NUL");
        assertThatThrownBy(() -> CommandLine.check("EHLO " + "a".repeat(CommandLine.MAX_OCTETS)))
            .hasMessageContaining("longer than");
    }
}
