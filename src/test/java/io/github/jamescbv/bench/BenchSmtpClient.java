package io.github.jamescbv.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * The benchmark's SMTP client: a plain blocking socket that sends one command at a time
 * and checks each reply code, nothing more, so that the client costs little CPU next to
 * the James it measures (both share two cores).
 */
final class BenchSmtpClient implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 30_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final StringBuilder line = new StringBuilder(128);

    private BenchSmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 4096);
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}; the greeting is not read yet. */
    static BenchSmtpClient connect(int port) throws IOException {
        return connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** Connects to {@code server}; the greeting is not read yet. */
    static BenchSmtpClient connect(InetSocketAddress server) throws IOException {
        Socket s = new Socket();
        // Without it, Nagle and delayed ACKs could add tens of milliseconds to a reply.
        s.setTcpNoDelay(true);
        s.setSoTimeout(READ_TIMEOUT_MS);
        try {
            s.connect(server, 10_000);
            return new BenchSmtpClient(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Reads one reply (all its lines) and fails unless its code is {@code code}. */
    void expect(int code, String after) throws IOException {
        int got = readReply();
        if (got != code) {
            throw new IOException("expected " + code + " after " + after + " but got: " + line);
        }
    }

    /** Sends {@code text} (CRLF added) and returns the code of the reply, whatever it is. */
    int ask(String text) throws IOException {
        send(text);
        return readReply();
    }

    /** The last line of the last reply read. */
    String lastLine() {
        return line.toString();
    }

    /** Sends {@code text} (CRLF added) and expects {@code code}. */
    void command(String text, int code) throws IOException {
        send(text);
        expect(code, text);
    }

    /** Writes {@code text} and CRLF in one write: one TCP segment per command, as real clients do. */
    void send(String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Writes raw text in one write, nothing added (a whole message, with or without its final "."). */
    void write(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Waits for the server to close the connection. After QUIT James closes first, so the
     * TIME_WAIT state stays on James's side and tens of thousands of short connections do not
     * use up the client's ephemeral ports.
     */
    void awaitServerClose() throws IOException {
        byte[] sink = new byte[256];
        while (in.read(sink) >= 0) {
            // anything after 221 is ignored
        }
    }

    /**
     * What the server said since the last reply, looking for at most {@code waitMs}:
     * "silent" when nothing came and the connection is open, else "replied: ..." or "closed".
     */
    String stateAfter(int waitMs) throws IOException {
        socket.setSoTimeout(Math.max(1, waitMs));
        try {
            int b = in.read();
            if (b < 0) {
                return "closed";
            }
            StringBuilder sb = new StringBuilder().append((char) b);
            while (in.available() > 0 && sb.length() < 200) {
                sb.append((char) in.read());
            }
            return "replied: " + sb.toString().trim();
        } catch (SocketTimeoutException e) {
            return "silent";
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MS);
        }
    }

    /** The code of the next reply; its last line stays in {@link #line} for error messages. */
    private int readReply() throws IOException {
        while (true) {
            readLine();
            if (line.length() < 3) {
                throw new IOException("malformed reply: " + line);
            }
            if (line.length() == 3 || line.charAt(3) != '-') {
                return (line.charAt(0) - '0') * 100 + (line.charAt(1) - '0') * 10 + (line.charAt(2) - '0');
            }
        }
    }

    private void readLine() throws IOException {
        line.setLength(0);
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                int n = line.length();
                if (n > 0 && line.charAt(n - 1) == '\r') {
                    line.setLength(n - 1);
                }
                return;
            }
            line.append((char) b);
        }
        throw new IOException("connection closed by the server after: " + line);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a benchmark connection: nothing to do
        }
    }
}
