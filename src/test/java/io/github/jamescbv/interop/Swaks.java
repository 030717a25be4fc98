package io.github.jamescbv.interop;

import io.github.jamescbv.testing.peers.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real swaks binary, sending one message to James. */
final class Swaks {
    private Swaks() {
    }

    /** Sends a message from {@code from} to {@code to} with this Subject; returns swaks's transcript, or fails with it. */
    static String send(int port, String from, String to, String subject) throws IOException, InterruptedException {
        String swaks = Peers.which("swaks").orElseThrow(() -> new IllegalStateException("swaks not installed")).toString();
        Process p = new ProcessBuilder(List.of(swaks, "--server", "127.0.0.1:" + port,
            "--helo", "client.interop.test", "--from", from, "--to", to,
            "--header", "Subject: " + subject, "--timeout", "60"))
            .redirectErrorStream(true)
            .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("swaks did not finish");
        }
        String transcript = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("swaks exited " + p.exitValue() + ":\n" + transcript);
        }
        return transcript;
    }
}
