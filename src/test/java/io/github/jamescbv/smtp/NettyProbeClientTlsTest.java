package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.Stage;
import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestProbeRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * STARTTLS in the probe (RFC 3207), on real sockets against scripted servers that speak TLS with
 * a self-signed certificate for another name: when it is used, what is asked inside TLS, the
 * clear-text retry under {@code may}, and failures under {@code encrypt}.
 */
class NettyProbeClientTlsTest extends ProbeAgainstScriptedServers {
    private static final String USER = "user@example.com";
    private static final String POSTMASTER = "postmaster@example.com";
    /** What a clear-text probe says, each time. */
    private static final List<String> CLEAR_PROBE = List.of("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<" + USER + ">",
        "QUIT");

    private final List<String> dialog = new CopyOnWriteArrayList<>();
    /** The server of {@link #runWithinFiveSeconds}. */
    private ScriptedSmtpServer broken;

    private ProbeOutcome run(ScriptedSmtpServer mx, TlsPolicy tls) throws Exception {
        return run(TestProbeRequest.to(mx).tls(tls).listener(dialog::add).build());
    }

    private static void assertPassed(ProbeOutcome o) {
        assertThat(o.failure()).as("failure of %s", o).isEmpty();
        assertThat(o.stage()).as("stage of %s", o).isEqualTo(Stage.RCPT);
        assertThat(o.reply()).get().extracting(SmtpReply::code).isEqualTo(250);
    }

    private static void assertTlsFailure(ProbeOutcome o, Failure failure, String detail) {
        assertThat(o.stage()).as("stage of %s", o).isEqualTo(Stage.TLS);
        assertThat(o.failure()).as("failure of %s", o).contains(failure);
        assertThat(o.detail()).contains(detail);
    }

    // ---- when TLS is used ----

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = TlsPolicy.class, names = {"MAY", "ENCRYPT"})
    void startTlsWhenOfferedThenEverythingInsideTls(TlsPolicy policy) throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().offeringStartTls());

        ProbeOutcome o = run(mx, policy);

        assertPassed(o);
        assertThat(o.tls()).matches("TLSv1\\.[23] TLS_\\w+");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(1);
        ScriptedSmtpServer.Connection c = mx.lastConnection();
        assertThat(c.tls()).isEqualTo(o.tls());
        // EHLO again inside TLS, whose STARTTLS is not taken up a second time
        assertThat(c.commands()).containsExactly("EHLO probe.test", "STARTTLS", "EHLO probe.test", "MAIL FROM:<>",
            "RCPT TO:<" + USER + ">", "QUIT");
        assertThat(c.commandsInTls()).isEqualTo(CLEAR_PROBE);
        assertThat(dialog).containsSubsequence("-> STARTTLS", "<- 220 2.0.0 Ready to start TLS", "TLS handshake",
            "TLS established: " + o.tls(), "-> EHLO probe.test");
    }

    static Stream<Arguments> clearText() {
        return Stream.of(
            Arguments.of("may, and the server does not offer STARTTLS", SmtpScript.standard(), TlsPolicy.MAY),
            Arguments.of("none, and the server offers STARTTLS", SmtpScript.standard().offeringStartTls(), TlsPolicy.NONE));
    }

    @ParameterizedTest(name = "{0}: clear text")
    @MethodSource("clearText")
    void aProbeInClearText(String name, SmtpScript script, TlsPolicy policy) throws Exception {
        ScriptedSmtpServer mx = server(script);

        ProbeOutcome o = run(mx, policy);

        assertPassed(o);
        assertThat(o.tls()).isEqualTo("none");
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().commands()).isEqualTo(CLEAR_PROBE);
        assertThat(dialog.contains("no STARTTLS offered: clear text")).isEqualTo(policy == TlsPolicy.MAY);
    }

    @Test
    void encryptWithoutStartTlsOfferedAsksNothingAndSaysQuit() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());

        ProbeOutcome o = run(mx, TlsPolicy.ENCRYPT);

        assertTlsFailure(o, Failure.TLS, "TLS required, and the remote does not offer STARTTLS");
        assertThat(o.tls()).isEqualTo("none");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(1);
        assertThat(mx.lastConnection().commands()).containsExactly("EHLO probe.test", "QUIT");
    }

    @Test
    void encryptAgainstAServerThatOnlySpeaksHelo() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("EHLO", "502 5.5.1 what?"));

        ProbeOutcome o = run(mx, TlsPolicy.ENCRYPT);

        assertTlsFailure(o, Failure.TLS, "TLS required, and the remote speaks HELO only");
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "HELO", "QUIT");
    }

    // ---- STARTTLS refused ----

    @Test
    void aRefusedStartTlsIsAskedAgainInClearTextUnderMay() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().offeringStartTls().on("STARTTLS", "454 4.7.0 TLS not available"));

        ProbeOutcome o = run(mx, TlsPolicy.MAY);

        assertPassed(o);
        assertThat(o.tls()).isEqualTo("none");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(2);
        assertThat(mx.connection(0).commands()).containsExactly("EHLO probe.test", "STARTTLS", "QUIT");
        assertThat(mx.connection(1).commands()).isEqualTo(CLEAR_PROBE);
        assertThat(dialog).contains("again in clear text (STARTTLS answered 454 4.7.0 TLS not available)");
    }

    @Test
    void aRefusedStartTlsIsTheOutcomeUnderEncrypt() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().offeringStartTls().on("STARTTLS", "554 5.7.3 no TLS for you"));

        ProbeOutcome o = run(mx, TlsPolicy.ENCRYPT);

        assertThat(o.stage()).isEqualTo(Stage.TLS);
        assertThat(o.reply()).get().extracting(SmtpReply::code).isEqualTo(554);
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(1);
        assertThat(mx.lastConnection().commands()).containsExactly("EHLO probe.test", "STARTTLS", "QUIT");
    }

    @Test
    void aServerClosingWith421ToStartTlsGetsNoQuit() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().offeringStartTls()
            .on("STARTTLS", Response.of("421 4.3.2 shutting down").thenClose()));

        ProbeOutcome o = run(mx, TlsPolicy.ENCRYPT);

        assertThat(o.stage()).isEqualTo(Stage.TLS);
        assertThat(o.reply()).get().extracting(SmtpReply::code).isEqualTo(421);
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().commands()).containsExactly("EHLO probe.test", "STARTTLS");
    }

    // ---- a handshake that does not happen ----

    /** name, the answer to STARTTLS, the failure under encrypt, what its detail says. */
    static Stream<Arguments> brokenHandshakes() {
        // The start of a TLS 1.2 ServerHello record: its header promises 90 octets, 8 come.
        byte[] halfAServerHello = {0x16, 0x03, 0x03, 0x00, 0x5a, 0x02, 0x00, 0x00, 0x56, 0x03, 0x03, 0x11, 0x22};
        // After the client's hello has had time to come, as a server that does not speak TLS would answer it.
        Duration helloCame = Duration.ofMillis(300);
        return Stream.of(
            Arguments.of("stays silent after its 220", Response.of("220 2.0.0 go ahead").thenSilence(),
                Failure.TIMEOUT, "no TLS handshake within 1s"),
            Arguments.of("sends clear text instead of a handshake", Response.of("220 2.0.0 go ahead")
                    .then(Response.raw("500 5.5.1 what is this?\r\n").after(helloCame)).thenSilence(),
                Failure.TLS, "TLS handshake failed: the remote answered with something other than TLS"),
            Arguments.of("closes half way through its hello", Response.of("220 2.0.0 go ahead")
                    .then(Response.raw(halfAServerHello).after(helloCame)).thenClose(),
                Failure.TLS, "TLS handshake failed"),
            Arguments.of("resets the connection after its 220", Response.of("220 2.0.0 go ahead").then(Response.reset()),
                Failure.TLS, "TLS handshake failed"),
            Arguments.of("sends clear text along with its 220",
                Response.raw("220 2.0.0 go ahead\r\n250-injected\r\n").thenSilence(),
                Failure.PROTOCOL, "data sent after the reply to STARTTLS, before the TLS handshake"),
            Arguments.of("stays silent after STARTTLS", Response.silence(), Failure.TIMEOUT, "no reply within 1s"));
    }

    @ParameterizedTest(name = "a server that {0}: transient at TLS under encrypt, asked again in clear text under may")
    @MethodSource("brokenHandshakes")
    void aBrokenHandshake(String name, Response answer, Failure failure, String detail) throws Exception {
        ProbeOutcome encrypt = runWithinFiveSeconds(answer, TlsPolicy.ENCRYPT);

        assertTlsFailure(encrypt, failure, detail);
        assertThat(dialog).allMatch(line -> line.matches("[ -~]*"), "printable ASCII");
        awaitAllClosed(broken);
        assertThat(broken.connectionCount()).isEqualTo(1);
        assertNothingSaidInClearAfterStartTls(broken.lastConnection());

        dialog.clear();
        ProbeOutcome may = runWithinFiveSeconds(answer, TlsPolicy.MAY);

        assertPassed(may);
        assertThat(may.tls()).isEqualTo("none");
        assertThat(dialog).anyMatch(l -> l.startsWith("again in clear text (") && l.contains(detail));
        awaitAllClosed(broken);
        assertThat(broken.connectionCount()).isEqualTo(2);
        assertNothingSaidInClearAfterStartTls(broken.connection(0));
        assertThat(broken.connection(1).commands()).isEqualTo(CLEAR_PROBE);
    }

    /**
     * A probe of a new server ({@link #broken}) offering STARTTLS and answering it so, with 1s per
     * reply (the clear-text retry's included): it must be over within 5s.
     */
    private ProbeOutcome runWithinFiveSeconds(Response startTlsAnswer, TlsPolicy policy) throws Exception {
        broken = server(SmtpScript.standard().offeringStartTls().on("STARTTLS", startTlsAnswer));
        long start = System.nanoTime();
        ProbeOutcome o = run(TestProbeRequest.to(broken).tls(policy).commandTimeout(Duration.ofSeconds(1))
            .listener(dialog::add).build());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        return o;
    }

    /** After STARTTLS, the server may have read our TLS hello as lines, never a command of ours in clear text. */
    private static void assertNothingSaidInClearAfterStartTls(ScriptedSmtpServer.Connection c) {
        List<String> commands = c.commands();
        assertThat(commands).startsWith("EHLO probe.test", "STARTTLS");
        assertThat(commands.subList(2, commands.size()))
            .noneMatch(l -> l.matches("(?i)(EHLO|HELO|MAIL|RCPT|RSET|QUIT)\\b.*"));
    }

    @Test
    void theDeadlineBoundsTheHandshakeAndTheRetry() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().offeringStartTls()
            .on("STARTTLS", Response.of("220 2.0.0 go ahead").thenSilence()));

        long start = System.nanoTime();
        ProbeOutcome o = run(TestProbeRequest.to(mx).tls(TlsPolicy.MAY).commandTimeout(Duration.ofSeconds(30))
            .total(Duration.ofSeconds(1)).build());

        // The handshake used up the whole deadline: no time is left for the clear-text retry.
        assertThat(o.stage()).isEqualTo(Stage.TLS);
        assertThat(o.failure()).contains(Failure.TIMEOUT);
        assertThat(o.detail()).isEqualTo("total timeout reached");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(1);
    }

    // ---- inside TLS, as outside ----

    @Test
    void theReplyLimitsHoldInsideTls() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().offeringStartTls()
            .on("RCPT", Response.raw("250 " + "x".repeat(100_000))));

        ProbeOutcome o = run(mx, TlsPolicy.MAY);

        assertThat(o.stage()).isEqualTo(Stage.RCPT);
        assertThat(o.failure()).contains(Failure.PROTOCOL);
        assertThat(o.detail()).contains("reply line longer than 2048 octets");
        assertThat(o.tls()).startsWith("TLSv1.");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).as("no clear-text retry: TLS worked").isEqualTo(1);
    }

    @Test
    void aServerClosingAfterTheHandshakeIsAFailedConnectionNotATlsOne() throws Exception {
        AtomicInteger ehlos = new AtomicInteger(); // the first EHLO is before TLS, the second inside it
        ScriptedSmtpServer mx = server(SmtpScript.standard().offeringStartTls().on("EHLO", line -> ehlos.getAndIncrement() == 0
            ? Response.of("250-scripted.test\n250 STARTTLS") : Response.close()));

        ProbeOutcome o = run(mx, TlsPolicy.MAY);

        assertThat(o.stage()).isEqualTo(Stage.HELO);
        assertThat(o.failure()).contains(Failure.CLOSED);
        assertThat(o.tls()).startsWith("TLSv1.");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(1);
    }

    @Test
    void theFollowUpsAreAskedInTheSameTlsSessionAndTheSecondConnectionUsesTlsToo() throws Exception {
        AtomicInteger rsets = new AtomicInteger();
        ScriptedSmtpServer mx = server(SmtpScript.standard().offeringStartTls()
            .rcpt(SmtpScript.knownUsers(USER, POSTMASTER))
            .on("RSET", line -> rsets.getAndIncrement() == 1 ? Response.close() : Response.of("250 2.0.0 Ok")));

        ProbeOutcome o = run(TestProbeRequest.to(mx).tls(TlsPolicy.MAY).followUps("cbv-x@example.com", POSTMASTER)
            .build());

        assertPassed(o);
        List<FollowUpReply> replies = o.followUps().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(replies).extracting(r -> r.reply().map(SmtpReply::code).orElse(0)).containsExactly(550, 250);
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(2);
        assertThat(mx.connection(0).commandsInTls()).containsExactly("EHLO probe.test", "MAIL FROM:<>",
            "RCPT TO:<" + USER + ">", "RSET", "MAIL FROM:<>", "RCPT TO:<cbv-x@example.com>", "RSET");
        assertThat(mx.connection(1).commandsInTls()).containsExactly("EHLO probe.test", "MAIL FROM:<>",
            "RCPT TO:<" + POSTMASTER + ">", "QUIT");
    }

    @Test
    void theSecondConnectionOfTheFollowUpsIsNotRetriedInClearText() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        ScriptedSmtpServer mx = server(SmtpScript.standard().offeringStartTls()
            .rcpt(SmtpScript.knownUsers(USER, POSTMASTER))
            .on("RSET", Response.close())
            .on("STARTTLS", line -> connections.getAndIncrement() == 0
                ? Response.of("220 2.0.0 go").then(Response.startTls()) : Response.of("454 4.7.0 not now")));

        ProbeOutcome o = run(TestProbeRequest.to(mx).tls(TlsPolicy.MAY).followUps(POSTMASTER).build());

        assertPassed(o);
        List<FollowUpReply> replies = o.followUps().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(replies.get(0).reply()).isEmpty();
        assertThat(replies.get(0).failure()).contains("second connection: tls: 454 4.7.0 not now");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(2);
        await().atMost(WAIT).until(() -> mx.connection(1).isClosed());
        assertThat(mx.connection(1).commands()).containsExactly("EHLO probe.test", "STARTTLS", "QUIT");
    }
}
