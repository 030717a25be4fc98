package io.github.jamescbv.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The test server itself, driven by a plain blocking socket. */
class ScriptedSmtpServerTest {

    /** A minimal blocking SMTP client: one line out, the reply lines back. */
    private static final class LineClient implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        LineClient(InetSocketAddress to) throws IOException {
            socket = new Socket();
            socket.connect(to, 5000);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out = socket.getOutputStream();
        }

        List<String> reply() throws IOException {
            List<String> lines = new ArrayList<>();
            String line;
            do {
                line = in.readLine();
                if (line == null) {
                    return lines;
                }
                lines.add(line);
            } while (line.length() > 3 && line.charAt(3) == '-');
            return lines;
        }

        List<String> send(String command) throws IOException {
            out.write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return reply();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void standardScriptAnswersAndRecords() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(SmtpScript.standard()
            .rcpt(SmtpScript.knownUsers("alice@example.com")));
             LineClient c = new LineClient(server.address())) {
            assertThat(c.reply()).containsExactly("220 scripted.test ESMTP ready");
            assertThat(c.send("EHLO me")).hasSize(3).last().isEqualTo("250 8BITMIME");
            assertThat(c.send("MAIL FROM:<>")).containsExactly("250 2.1.0 Ok");
            assertThat(c.send("RCPT TO:<Alice@Example.com>")).containsExactly("250 2.1.5 Ok");
            assertThat(c.send("RCPT TO:<bob@example.com>")).singleElement().asString().startsWith("550 5.1.1");
            assertThat(c.send("XYZZY")).singleElement().asString().startsWith("502");
            assertThat(c.send("QUIT")).containsExactly("221 2.0.0 Bye");
            assertThat(c.reply()).as("closed after QUIT").isEmpty();

            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnectionCount() == 0);
            ScriptedSmtpServer.Connection conn = server.lastConnection();
            assertThat(conn.verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RCPT", "XYZZY", "QUIT");
            assertThat(conn.quitReceived()).isTrue();
            assertThat(conn.isClosed()).isTrue();
            assertThat(server.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void silenceKeepsRecording() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(SmtpScript.standard().on("MAIL", Response.silence()));
             LineClient c = new LineClient(server.address())) {
            c.reply();
            c.send("EHLO me");
            c.out.write("MAIL FROM:<>\r\nRCPT TO:<a@b.test>\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> server.lastConnection().verbs().equals(List.of("EHLO", "MAIL", "RCPT")));
        }
    }

    @Test
    void severalHostsShareOnePortOnDifferentLoopbackAddresses() throws Exception {
        ScriptedSmtpServer first;
        try {
            first = ScriptedSmtpServer.start("127.0.0.2", 0, SmtpScript.standard().greeting("220 host two"));
        } catch (UncheckedIOException e) {
            Assumptions.abort("127.0.0.2 is not a loopback address here: " + e.getMessage());
            return;
        }
        try (first;
             ScriptedSmtpServer second = ScriptedSmtpServer.start("127.0.0.3", first.port(),
                 SmtpScript.standard().greeting("220 host three"))) {
            assertThat(second.port()).isEqualTo(first.port());
            try (LineClient a = new LineClient(first.address()); LineClient b = new LineClient(second.address())) {
                assertThat(a.reply()).containsExactly("220 host two");
                assertThat(b.reply()).containsExactly("220 host three");
            }
            assertThat(first.connectionCount()).isEqualTo(1);
            assertThat(second.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void scriptCanBeSwappedForLaterConnections() throws Exception {
        try (ScriptedSmtpServer server = ScriptedSmtpServer.start(SmtpScript.standard())) {
            try (LineClient c = new LineClient(server.address())) {
                assertThat(c.reply()).containsExactly("220 scripted.test ESMTP ready");
            }
            server.script(SmtpScript.standard().greeting("554 go away"));
            try (LineClient c = new LineClient(server.address())) {
                assertThat(c.reply()).containsExactly("554 go away");
            }
        }
    }
}
