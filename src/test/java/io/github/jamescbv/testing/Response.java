package io.github.jamescbv.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * What a {@link ScriptedSmtpServer} does in answer to one event (the connection opening, or one
 * command): a sequence of steps, run in order on the connection's thread. Immutable; combine
 * with {@link #then}, {@link #after}, {@link #awaiting}, {@link #thenClose}.
 *
 * <pre>{@code
 * Response.of("250 2.1.5 Ok")                          // one line, CRLF added
 * Response.of("250-mx.test\n250 SIZE 1000")             // multi-line: lines split on '\n'
 * Response.of("250 Ok").after(Duration.ofMillis(200))   // slow server
 * Response.split(Duration.ofMillis(50), "22", "0 ready\r\n")  // one reply, two TCP writes
 * Response.raw("garbage\r\n")                           // exact bytes, nothing added
 * Response.silence()                                    // never answer again
 * Response.of("220 hi").thenClose()                     // greet, then hang up
 * Response.of("220 go ahead").then(Response.startTls()) // STARTTLS: TLS from here on ({@link TestTls})
 * }</pre>
 */
public final class Response {

    /** One step; the server interprets them. */
    interface Step {
    }

    static final class Send implements Step {
        final byte[] bytes;

        Send(byte[] bytes) {
            this.bytes = bytes.clone();
        }
    }

    static final class Pause implements Step {
        final Duration duration;

        Pause(Duration duration) {
            this.duration = duration;
        }
    }

    static final class Await implements Step {
        final CountDownLatch latch;

        Await(CountDownLatch latch) {
            this.latch = latch;
        }
    }

    /** Close the connection (FIN) and stop. */
    static final class Close implements Step {
    }

    /** Abort the connection (RST, via SO_LINGER 0) and stop. */
    static final class Reset implements Step {
    }

    /** Keep the connection open and keep recording commands, but answer nothing more. */
    static final class Silence implements Step {
    }

    /** Become the TLS server of the connection (handshake with {@link TestTls}'s certificate); all after it is in TLS. */
    static final class StartTls implements Step {
    }

    private final List<Step> steps;

    private Response(List<Step> steps) {
        this.steps = Collections.unmodifiableList(steps);
    }

    private static Response of(Step... steps) {
        return new Response(new ArrayList<>(List.of(steps)));
    }

    /** A reply: {@code text} split on '\n' (a '\r' before it is dropped), each line sent with CRLF, in one write. */
    public static Response of(String text) {
        String body = text.replaceFirst("\r?\n$", "");
        StringBuilder sb = new StringBuilder();
        for (String line : body.split("\r?\n", -1)) {
            sb.append(line).append("\r\n");
        }
        return raw(sb.toString());
    }

    /** Several lines as one reply, each sent with CRLF, in one write. */
    public static Response lines(String... lines) {
        return of(String.join("\n", lines));
    }

    /** Exactly these characters (ISO-8859-1), nothing added. */
    public static Response raw(String latin1) {
        return raw(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Exactly these bytes, nothing added. */
    public static Response raw(byte[] bytes) {
        return of(new Send(bytes));
    }

    /** Raw chunks, each its own TCP write, with {@code pause} between them (TCP_NODELAY is on). */
    public static Response split(Duration pause, String... latin1Chunks) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < latin1Chunks.length; i++) {
            if (i > 0) {
                steps.add(new Pause(pause));
            }
            steps.add(new Send(latin1Chunks[i].getBytes(StandardCharsets.ISO_8859_1)));
        }
        return new Response(steps);
    }

    /** The raw characters one byte per write, {@code interval} apart. */
    public static Response drip(Duration interval, String latin1) {
        String[] chunks = new String[latin1.length()];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = latin1.substring(i, i + 1);
        }
        return split(interval, chunks);
    }

    /** Stop answering: the connection stays open (until the client closes it), commands are still recorded. */
    public static Response silence() {
        return of(new Silence());
    }

    /**
     * The server side of STARTTLS: the TLS handshake, as server, with {@link TestTls}'s
     * certificate; the steps after it and every later reply go through TLS. Put it after the 220
     * to STARTTLS. A client that fails the handshake ends the connection.
     */
    public static Response startTls() {
        return of(new StartTls());
    }

    /** Close the connection without a word. */
    public static Response close() {
        return of(new Close());
    }

    /** Reset the connection (RST) without a word. */
    public static Response reset() {
        return of(new Reset());
    }

    /** Do nothing (useful as a base for {@link #then}). */
    public static Response nothing() {
        return new Response(new ArrayList<>());
    }

    /** This, then {@code next}. */
    public Response then(Response next) {
        List<Step> all = new ArrayList<>(steps);
        all.addAll(next.steps);
        return new Response(all);
    }

    /** This, then close the connection. */
    public Response thenClose() {
        return then(close());
    }

    /** This, then stop answering. */
    public Response thenSilence() {
        return then(silence());
    }

    /** Wait {@code delay}, then this. */
    public Response after(Duration delay) {
        return of(new Pause(Objects.requireNonNull(delay))).then(this);
    }

    /** Wait until {@code latch} is released (or the server closes), then this. */
    public Response awaiting(CountDownLatch latch) {
        return of(new Await(Objects.requireNonNull(latch))).then(this);
    }

    List<Step> steps() {
        return steps;
    }
}
