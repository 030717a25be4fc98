package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.testing.TestProbeRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranscriptTest {
    private final List<String> lines = new ArrayList<>();

    private Transcript transcript(InetSocketAddress target, String mxHost, DialogListener listener) {
        ProbeRequest request = TestProbeRequest.to(target).mxHost(mxHost).listener(listener).build();
        return new Transcript(request.route(), request.listener());
    }

    @Test
    void theListenerGetsEachLineAsItIs() {
        Transcript t = transcript(new InetSocketAddress("192.0.2.1", 25), "mx.example.com", lines::add);

        t.line("-> MAIL FROM:<>");
        t.line("<- 250 2.1.0 Ok");

        assertThat(lines).containsExactly("-> MAIL FROM:<>", "<- 250 2.1.0 Ok");
    }

    @Test
    void lineBreaksAndControlCharactersFromTheRemoteNeverReachTheListener() {
        Transcript t = transcript(new InetSocketAddress("192.0.2.1", 25), "mx.example.com", lines::add);

        t.line("<- 550 no\r\nMAIL FROM:<evil@example.com>\u0000\u001b[31m");

        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("<- 550 no").doesNotContain("\r", "\n", "\u0000", "\u001b");
    }

    @Test
    void aLineIsCutAfterRoomForAWholeReplyLine() {
        Transcript t = transcript(new InetSocketAddress("192.0.2.1", 25), "mx.example.com", lines::add);
        String whole = "<- 250 " + "x".repeat(ReplyParser.MAX_LINE_OCTETS - 4);

        t.line(whole);
        t.line(whole + "y".repeat(100));

        assertThat(lines.get(0)).isEqualTo(whole);
        assertThat(lines.get(1)).startsWith(whole).endsWith("y...")
            .hasSize(Transcript.MAX_LINE_LENGTH + "...".length());
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheTranscript() {
        List<String> seen = new ArrayList<>();
        Transcript t = transcript(new InetSocketAddress("192.0.2.1", 25), "mx.example.com", line -> {
            seen.add(line);
            throw new IllegalStateException("listener bug");
        });

        t.line("connect");
        t.line("connected");

        assertThat(seen).containsExactly("connect", "connected");
    }

    @Test
    void thePeerIsAddressPortAndCleanedMxHostWithIpv6InBrackets() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 2525);

        assertThat(transcript(new InetSocketAddress("192.0.2.1", 25), "mx.example.com", lines::add).peer())
            .isEqualTo("192.0.2.1:25 (mx.example.com)");
        assertThat(transcript(v6, "mx6.example.com", lines::add).peer())
            .isEqualTo("[2001:db8:0:0:0:0:0:1]:2525 (mx6.example.com)");
        assertThat(transcript(new InetSocketAddress("192.0.2.1", 25), "mx\r\n.example.com", lines::add).peer())
            .doesNotContain("\r", "\n");
    }
}
