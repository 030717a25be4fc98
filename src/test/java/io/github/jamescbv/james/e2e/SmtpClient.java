package io.github.jamescbv.james.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A plain-socket SMTP client for the end-to-end tests: it writes exactly what it is told
 * (so pipelining and a hang-up mid-transaction are possible) and reads replies with a bound,
 * so that "no reply yet" is observable without sleeping.
 */
final class SmtpClient implements AutoCloseable {
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    /** One SMTP reply, possibly multi-line. */
    static final class Reply {
        final int code;
        final List<String> lines;

        Reply(int code, List<String> lines) {
            this.code = code;
            this.lines = List.copyOf(lines);
        }

        String text() {
            return String.join("\n", lines);
        }

        @Override
        public String toString() {
            return text();
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static SmtpClient connect(int port) throws IOException {
        return connect(port, null);
    }

    /** Connects from {@code localAddress} (e.g. 127.0.0.2, which the test config trusts), or any when null. */
    static SmtpClient connect(int port, String localAddress) throws IOException {
        Socket s = new Socket();
        if (localAddress != null) {
            s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        }
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
        return new SmtpClient(s);
    }

    /** Reads the greeting and says EHLO; returns the EHLO reply. */
    SmtpClient greetAndEhlo() throws IOException {
        expect(220, read());
        expect(250, command("EHLO client.test"));
        return this;
    }

    Reply command(String line) throws IOException {
        send(line);
        return read();
    }

    void send(String line) throws IOException {
        write(line + "\r\n");
    }

    /** Writes raw text in one go: several commands at once is pipelining. */
    void write(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    Reply read() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IOException("connection closed by server after " + lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    /** The next reply if one comes within {@code limit}; empty if none does. */
    Optional<Reply> readWithin(Duration limit) throws IOException {
        socket.setSoTimeout((int) Math.max(1, limit.toMillis()));
        try {
            in.mark(1);
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by server");
            }
            in.reset();
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        } finally {
            socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
        }
        return Optional.of(read());
    }

    /** MAIL FROM, one RCPT TO each, DATA, the message, ".": returns the reply to the final ".". */
    Reply sendMail(String from, List<String> to, String subject) throws IOException {
        openData(from, to);
        write(message(from, to, subject));
        return read();
    }

    Reply sendMail(String from, String to, String subject) throws IOException {
        return sendMail(from, List.of(to), subject);
    }

    /** As {@link #sendMail(String, List, String)}, the message's From header being {@code fromHeader}. */
    Reply sendMail(String from, String to, String subject, String fromHeader) throws IOException {
        openData(from, to);
        write(messageFrom(fromHeader, List.of(to), subject));
        return read();
    }

    /** MAIL FROM, RCPT TO and DATA, each accepted (250, 250, 354): the message may follow. */
    void openData(String from, String to) throws IOException {
        openData(from, List.of(to));
    }

    private void openData(String from, List<String> to) throws IOException {
        expect(250, command("MAIL FROM:<" + from + ">"));
        for (String rcpt : to) {
            expect(250, command("RCPT TO:<" + rcpt + ">"));
        }
        expect(354, command("DATA"));
    }

    /** Headers and body, ending with the final ".". */
    static String message(String from, List<String> to, String subject) {
        return messageFrom("<" + from + ">", to, subject);
    }

    /** As {@link #message}, with this value of the From header (display name, several addresses...). */
    static String messageFrom(String fromHeader, List<String> to, String subject) {
        return "From: " + fromHeader + "\r\n"
            + "To: " + String.join(", ", to) + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: <" + subject.replace(' ', '-') + "@client.test>\r\n"
            + "\r\n"
            + "Test body for " + subject + "\r\n"
            + ".\r\n";
    }

    void authPlain(String user, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        expect(235, command("AUTH PLAIN " + token));
    }

    static Reply expect(int code, Reply reply) {
        if (reply.code != code) {
            throw new AssertionError("expected " + code + " but got: " + reply);
        }
        return reply;
    }

    boolean isClosedByServer() throws IOException {
        socket.setSoTimeout(5_000);
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.US_ASCII);
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test connection: nothing to do
        }
    }
}
