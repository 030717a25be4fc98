package io.github.jamescbv.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
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
import org.xbill.DNS.Type;

/**
 * Remotes and DNS answers meant to break the engine, each through the whole engine on real
 * sockets: every one must end in its documented verdict (README, "How a verdict is reached":
 * a broken remote or DNS failure is {@code transient}) within {@code totalTimeout}.
 *
 * <p>Covered elsewhere, not repeated here: a remote that never speaks
 * ({@link CallbackVerifierSocketTest#theTotalTimeoutBoundsTheWholeVerification}), a truncated
 * answer whose TCP retry succeeds and a CNAME loop at an MX host (DnsjavaMxResolverTest), and
 * each failure at each stage of the probe (NettyProbeClientTest, NettyProbeClientFuzzTest).
 */
class HostileRemoteSocketTest {
    /** Margin over totalTimeout for a loaded CI machine: the point is that no longer timeout applied. */
    private static final Duration MARGIN = Duration.ofSeconds(5);
    private static final Duration TOTAL = Duration.ofSeconds(6);

    private static TestDnsServer dns;
    private static ScriptedSmtpServer mx;

    @BeforeAll
    static void startPeers() {
        dns = new TestDnsServer().start();
        mx = ScriptedSmtpServer.start(SmtpScript.standard());
    }

    @AfterAll
    static void stopPeers() {
        mx.close();
        dns.close();
    }

    @BeforeEach
    void reset() {
        dns.clear().resetQueryCounts();
        dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.1");
        mx.script(SmtpScript.standard());
    }

    private static VerifierSettings.Builder settings() {
        return VerifierSettings.builder().heloName("probe.example.org").dnsServers(List.of(dns.hostPort()))
            .port(mx.port()).allowPrivateTargets(true).dnsTimeout(Duration.ofSeconds(2))
            .commandTimeout(Duration.ofSeconds(2)).totalTimeout(TOTAL);
    }

    /** Verifies, and checks that the verdict came within totalTimeout plus the margin, by its own clock and ours. */
    private static Verdict verify(String address, VerifierSettings.Builder builder) throws Exception {
        VerifierSettings s = builder.build();
        try (CallbackVerifier v = CallbackVerifier.start(s)) {
            long start = System.nanoTime();
            Verdict verdict = v.verify(Routed.target(address), DialogListener.NONE, DomainFacts.NONE).toCompletableFuture().get(60, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("wall time of %s", verdict).isLessThan(s.totalTimeout().plus(MARGIN));
            assertThat(verdict.elapsed()).as("elapsed of %s", verdict).isLessThan(s.totalTimeout().plus(MARGIN));
            return verdict;
        }
    }

    private static Verdict verify(String address) throws Exception {
        return verify(address, settings());
    }

    private static void assertTransient(Verdict v, Stage stage, String text) {
        assertThat(v.result()).as("%s", v).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).as("%s", v).isEqualTo(stage);
        assertThat(v.text()).as("%s", v).contains(text);
    }

    // ---------------------------------------------------------------- SMTP

    /** name, script, command timeout, the verdict's stage, what its text says. */
    static Stream<Arguments> brokenRemotes() {
        SmtpScript ok = SmtpScript.standard();
        Duration two = Duration.ofSeconds(2);
        return Stream.of(
            Arguments.of("closes after the greeting", ok.greeting(Response.of("220 hello").thenClose()), two,
                Stage.HELO, "(1 tried), last: connection closed by the remote"),
            Arguments.of("answers garbage", ok.greeting(Response.raw("HTTP/1.1 400 Bad Request\r\nServer: x\r\n\r\n")),
                two, Stage.GREETING, "reply line does not start with a code"),
            Arguments.of("answers binary garbage to RCPT",
                ok.on("RCPT", Response.raw(new byte[] {0, (byte) 0xff, 27, '[', '2', 'J', '\r', '\n'})), two,
                Stage.RCPT, "reply line does not start with a code"),
            Arguments.of("sends a line without end", ok.greeting(Response.raw("220 and then nothing").thenSilence()),
                two, Stage.GREETING, "no reply within 2s"),
            // the line limit ends it long before any timeout
            Arguments.of("sends an endless line", ok.greeting(Response.raw("220 " + "x".repeat(100_000))),
                Duration.ofSeconds(30), Stage.GREETING, "reply line longer than 2048 octets"));
    }

    @ParameterizedTest(name = "a remote that {0}")
    @MethodSource("brokenRemotes")
    void aBrokenRemoteIsTransientAtTheStageItBroke(String name, SmtpScript script, Duration commandTimeout, Stage stage,
                                                    String text) throws Exception {
        mx.script(script);

        Verdict v = verify("alice@example.test", settings().commandTimeout(commandTimeout));

        assertTransient(v, stage, text);
        assertThat(v.text()).matches("[ -~]*");
    }

    @Test
    void aRemoteThatDripsOneBytePerSecond() throws Exception {
        // A tarpit: each byte comes well within commandTimeout, the whole greeting never does.
        mx.script(SmtpScript.standard().greeting(Response.drip(Duration.ofSeconds(1), "220 tarpit.example.test ESMTP\r\n")));
        Duration total = Duration.ofSeconds(3);

        Verdict v = verify("alice@example.test", settings().commandTimeout(Duration.ofSeconds(30)).totalTimeout(total));

        assertTransient(v, Stage.GREETING, "total timeout reached");
        assertThat(v.elapsed()).isGreaterThanOrEqualTo(total.minusMillis(100));
    }

    // ---------------------------------------------------------------- DNS

    @Test
    void aTruncatedAnswerWhoseTcpRetryIsClosed() throws Exception {
        dns.truncate("example.test").failTcp("example.test");
        int before = mx.connectionCount();

        Verdict v = verify("alice@example.test");

        assertTransient(v, Stage.DNS, "MX lookup for example.test failed");
        assertThat(dns.tcpQueries()).isPositive();
        assertThat(mx.connectionCount()).isEqualTo(before);
    }

    @Test
    void aTruncatedAnswerWhoseTcpRetryIsNeverAnswered() throws Exception {
        dns.truncate("example.test").silentTcp("example.test");

        Verdict v = verify("alice@example.test");

        assertTransient(v, Stage.DNS, "MX lookup for example.test failed");
        assertThat(dns.tcpQueries()).isPositive();
    }

    @Test
    void aTruncatedAnswerWhoseTcpRetrySucceeds() throws Exception {
        dns.truncate("example.test");

        Verdict v = verify("alice@example.test");

        assertThat(v.result()).as("%s", v).isEqualTo(Result.PASS);
        assertThat(dns.tcpQueries()).isEqualTo(1);
    }

    @Test
    void fiftyMxRecordsTooBigForUdpWhoseHostsAllFail() throws Exception {
        // Long names, so that the answer (about 4 kB) exceeds any UDP size: truncated, then over TCP.
        dns.clear();
        for (int i = 0; i < 50; i++) {
            String host = String.format("mx%02d-%s.example.test", i, "x".repeat(55));
            dns.mx("example.test", 10 + i, host).a(host, "127.0.0.1");
        }
        mx.script(SmtpScript.standard().greeting("421 4.3.2 too busy"));
        int before = mx.connectionCount();

        Verdict v = verify("alice@example.test");

        assertTransient(v, Stage.GREETING, "(5 tried), last: too busy");
        assertThat(dns.tcpQueries()).as("the MX answer came over TCP").isPositive();
        assertThat(mx.connectionCount() - before).isEqualTo(VerifierSettings.DEFAULT_MAX_MX_ATTEMPTS);
        int addressQueries = 0;
        for (int i = 0; i < 50; i++) {
            addressQueries += dns.queries(String.format("mx%02d-%s.example.test", i, "x".repeat(55)), Type.A);
        }
        assertThat(addressQueries).as("only the most preferred hosts are resolved").isEqualTo(10);
    }

    @Test
    void mxHostNamesWithControlCharactersNeverReachALogOrTheVerdictAsSuch() throws Exception {
        // DNS labels may hold any octet: here CR, LF, ESC and a non-ASCII one (written as \DDD escapes)
        String evil = "mx\\013\\010QUIT\\027[2J\\233.example.test";
        dns.clear().mx("example.test", 10, evil).a(evil, "127.0.0.1");
        List<String> dialog = new CopyOnWriteArrayList<>();

        Verdict v;
        try (CallbackVerifier engine = CallbackVerifier.start(settings().build())) {
            v = engine.verify(Routed.target("alice@example.test"), dialog::add, DomainFacts.NONE).toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        }

        assertThat(v.result()).as("%s", v).isEqualTo(Result.PASS);
        assertThat(v.mxHost()).matches("[ -~]+").startsWith("mx\\013\\010"); // escaped, as DNS writes them
        assertThat(dialog).isNotEmpty().allMatch(line -> line.matches("[ -~]*"), "printable ASCII");
        assertThat(mx.lastConnection().commands()).containsExactly("EHLO probe.example.org", "MAIL FROM:<>",
            "RCPT TO:<alice@example.test>", "QUIT");
    }

    @Test
    void aDomainThatLoopsThroughCnames() throws Exception {
        dns.clear().cname("example.test", "a.loop.test").cname("a.loop.test", "b.loop.test")
            .cname("b.loop.test", "example.test");
        int before = mx.connectionCount();

        Verdict v = verify("alice@example.test");

        assertTransient(v, Stage.DNS, "CNAME chain too long or looping");
        assertThat(mx.connectionCount()).isEqualTo(before);
    }
}
