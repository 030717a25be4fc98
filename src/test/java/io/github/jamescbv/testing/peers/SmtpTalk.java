package io.github.jamescbv.testing.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A minimal SMTP client for checking a peer by hand: one command, one reply (last line's code and text). */
public final class SmtpTalk implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private SmtpTalk(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.out = socket.getOutputStream();
    }

    /** Connects; every read waits at most {@code readTimeout} (a {@link java.net.SocketTimeoutException} after that). */
    public static SmtpTalk connect(String host, int port, Duration readTimeout) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setSoTimeout((int) readTimeout.toMillis());
        return new SmtpTalk(s);
    }

    /** The last line of the next reply: {@code "250 2.1.5 Ok"}. */
    public String reply() throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed by the server");
            }
            if (line.length() < 4 || line.charAt(3) != '-') {
                return line;
            }
        }
    }

    public String command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
