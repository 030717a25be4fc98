package io.github.jamescbv.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.smtp.TlsPolicy;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Remotes whose STARTTLS goes wrong, through the whole engine on real sockets (README,
 * "STARTTLS"): each ends within {@code totalTimeout}, in a clear-text pass after one retry under
 * {@code may}, and as {@code transient}, stage {@code tls}, without a word in clear text after
 * STARTTLS, under {@code encrypt}. Two MX hosts share a port on two loopback addresses: the first,
 * preference 10, is the hostile one; under {@code encrypt} the second, preference 20, which
 * speaks TLS properly, must then be asked and give the pass.
 */
class HostileTlsSocketTest {
    /** Margin over totalTimeout for a loaded CI machine: the point is that no longer timeout applied. */
    private static final Duration MARGIN = Duration.ofSeconds(5);
    private static final Duration TOTAL = Duration.ofSeconds(8);
    private static final Duration COMMAND = Duration.ofSeconds(2);

    private static TestDnsServer dns;
    private static ScriptedSmtpServer hostile;
    private static ScriptedSmtpServer good;

    private final List<String> dialog = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startPeers() {
        dns = new TestDnsServer().start();
        hostile = ScriptedSmtpServer.start("127.0.0.2", 0, SmtpScript.standard());
        good = ScriptedSmtpServer.start("127.0.0.3", hostile.port(), SmtpScript.standard().offeringStartTls());
    }

    @AfterAll
    static void stopPeers() {
        good.close();
        hostile.close();
        dns.close();
    }

    @BeforeEach
    void reset() {
        dns.clear();
        dns.mx("example.test", 10, "mx1.example.test").a("mx1.example.test", "127.0.0.2")
            .mx("example.test", 20, "mx2.example.test").a("mx2.example.test", "127.0.0.3");
        hostile.forgetConnections();
        good.forgetConnections();
    }

    /** Verifies under {@code tls}, and checks that the verdict came within totalTimeout plus the margin. */
    private Verdict verify(TlsPolicy tls) throws Exception {
        VerifierSettings s = VerifierSettings.builder().heloName("probe.example.org").dnsServers(List.of(dns.hostPort()))
            .port(hostile.port()).allowPrivateTargets(true).commandTimeout(COMMAND).totalTimeout(TOTAL).tls(tls).build();
        try (CallbackVerifier v = CallbackVerifier.start(s)) {
            long start = System.nanoTime();
            Verdict verdict = v.verify(Routed.target("alice@example.test"), dialog::add, DomainFacts.NONE)
                .toCompletableFuture().get(60, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("wall time of %s", verdict).isLessThan(TOTAL.plus(MARGIN));
            assertThat(verdict.elapsed()).as("elapsed of %s", verdict).isLessThan(TOTAL.plus(MARGIN));
            assertThat(dialog).as("the dialog").allMatch(line -> line.matches("[ -~]*"), "printable ASCII");
            return verdict;
        }
    }

    /** name, what the hostile MX answers to STARTTLS, what the verdict's text says under encrypt. */
    static Stream<Arguments> hostileStartTls() {
        // The start of a TLS 1.2 ServerHello record: its header promises 90 octets, 7 come.
        byte[] halfAServerHello = {0x16, 0x03, 0x03, 0x00, 0x5a, 0x02, 0x00, 0x00, 0x56, 0x03, 0x03, 0x11};
        // After our hello has had time to come, as a server that does not speak TLS would answer it.
        Duration helloCame = Duration.ofMillis(300);
        return Stream.of(
            Arguments.of("answers 220 and then stays silent", Response.of("220 2.0.0 go ahead").thenSilence(),
                "no TLS handshake within 2s"),
            Arguments.of("sends clear text instead of a handshake", Response.of("220 2.0.0 go ahead")
                    .then(Response.raw("500 5.5.1 unrecognized command\r\n").after(helloCame)).thenSilence(),
                "TLS handshake failed: the remote answered with something other than TLS"),
            Arguments.of("closes half way through the handshake", Response.of("220 2.0.0 go ahead")
                    .then(Response.raw(halfAServerHello).after(helloCame)).thenClose(),
                "TLS handshake failed: connection closed by the remote"),
            Arguments.of("refuses STARTTLS", Response.of("454 4.7.0 TLS not available due to local problem"),
                "TLS not available due to local problem"));
    }

    @ParameterizedTest(name = "an MX that {0}: asked again in clear text under may")
    @MethodSource("hostileStartTls")
    void underMayTheSameAddressIsAskedAgainInClearText(String name, Response startTls, String why) throws Exception {
        hostile.script(SmtpScript.standard().offeringStartTls().on("STARTTLS", startTls));

        Verdict v = verify(TlsPolicy.MAY);

        assertThat(v.result()).as("%s", v).isEqualTo(Result.PASS);
        assertThat(v.mxHost()).isEqualTo("mx1.example.test");
        assertThat(v.tls()).isEqualTo("none");
        assertThat(dialog).anyMatch(l -> l.startsWith("again in clear text (") && l.contains(why));
        assertThat(hostile.connectionCount()).isEqualTo(2);
        await().atMost(MARGIN).until(() -> hostile.connection(1).quitReceived()); // the verdict does not wait for it
        assertThat(hostile.connection(1).commands()).containsExactly("EHLO probe.example.org", "MAIL FROM:<>",
            "RCPT TO:<alice@example.test>", "QUIT");
        assertThat(good.connectionCount()).as("the next MX is not asked").isZero();
    }

    @ParameterizedTest(name = "an MX that {0}: transient at tls under encrypt, then the next MX")
    @MethodSource("hostileStartTls")
    void underEncryptTheAddressIsTransientAndTheNextMxIsAsked(String name, Response startTls, String why)
        throws Exception {
        hostile.script(SmtpScript.standard().offeringStartTls().on("STARTTLS", startTls));

        Verdict v = verify(TlsPolicy.ENCRYPT);

        assertThat(v.result()).as("%s", v).isEqualTo(Result.PASS);
        assertThat(v.mxHost()).isEqualTo("mx2.example.test");
        assertThat(v.tls()).startsWith("TLSv1.");
        assertThat(dialog).anyMatch(l -> l.contains(why)).noneMatch(l -> l.startsWith("again in clear text"));
        assertThat(hostile.connectionCount()).isEqualTo(1);
        List<String> said = hostile.connection(0).commands();
        assertThat(said).startsWith("EHLO probe.example.org", "STARTTLS");
        assertThat(said.subList(2, said.size())).as("nothing of ours in clear text after STARTTLS")
            .noneMatch(l -> l.matches("(?i)(EHLO|HELO|MAIL|RCPT|RSET)\\b.*"));
        await().atMost(MARGIN).until(() -> good.lastConnection().quitReceived());
        assertThat(good.lastConnection().commandsInTls()).containsExactly("EHLO probe.example.org", "MAIL FROM:<>",
            "RCPT TO:<alice@example.test>", "QUIT");
    }

    @ParameterizedTest(name = "an MX that {0}, and no other: transient at tls under encrypt")
    @MethodSource("hostileStartTls")
    void underEncryptWithNoOtherMxTheVerdictSaysWhy(String name, Response startTls, String why) throws Exception {
        dns.clear().mx("example.test", 10, "mx1.example.test").a("mx1.example.test", "127.0.0.2");
        hostile.script(SmtpScript.standard().offeringStartTls().on("STARTTLS", startTls));

        Verdict v = verify(TlsPolicy.ENCRYPT);

        assertThat(v.result()).as("%s", v).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).isEqualTo(Stage.TLS);
        assertThat(v.text()).startsWith("no mail host gave an answer (1 tried), last: ").contains(why);
        assertThat(v.tls()).isEqualTo("none");
    }

    @Test
    void underEncryptAnMxWithoutStartTlsIsPassedOverForOneWithIt() throws Exception {
        hostile.script(SmtpScript.standard());

        Verdict v = verify(TlsPolicy.ENCRYPT);

        assertThat(v.result()).as("%s", v).isEqualTo(Result.PASS);
        assertThat(v.mxHost()).isEqualTo("mx2.example.test");
        assertThat(v.tls()).startsWith("TLSv1.");
        await().atMost(MARGIN).until(() -> hostile.connection(0).quitReceived());
        assertThat(hostile.connection(0).commands()).containsExactly("EHLO probe.example.org", "QUIT");
        assertThat(dialog).contains("TLS required, and the remote does not offer STARTTLS");
    }

    @Test
    void theRetryInClearTextIsBoundByTheSameTotalTimeout() throws Exception {
        // The handshake stalls past the deadline: no time is left for a clear-text retry, and
        // the second MX is not asked either.
        hostile.script(SmtpScript.standard().offeringStartTls().on("STARTTLS", Response.of("220 go ahead").thenSilence()));
        dns.clear().mx("example.test", 10, "mx1.example.test").a("mx1.example.test", "127.0.0.2");
        VerifierSettings s = VerifierSettings.builder().heloName("probe.example.org").dnsServers(List.of(dns.hostPort()))
            .port(hostile.port()).allowPrivateTargets(true).commandTimeout(Duration.ofSeconds(30))
            .totalTimeout(Duration.ofSeconds(2)).build();

        Verdict v;
        try (CallbackVerifier engine = CallbackVerifier.start(s)) {
            v = engine.verify(Routed.target("alice@example.test"), dialog::add, DomainFacts.NONE).toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        }

        assertThat(v.result()).as("%s", v).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).isEqualTo(Stage.TLS);
        assertThat(v.text()).contains("total timeout");
        assertThat(v.elapsed()).isLessThan(Duration.ofSeconds(2).plus(MARGIN));
        assertThat(hostile.connectionCount()).isEqualTo(1);
    }
}
