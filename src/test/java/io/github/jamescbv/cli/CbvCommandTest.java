package io.github.jamescbv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cbv command against a test DNS server and a scripted MX: output forms and exit codes. */
class CbvCommandTest {
    private static TestDnsServer dns;
    private static ScriptedSmtpServer mx;
    /** Offers STARTTLS; reached through --map tls.test=[127.0.0.1]:port. */
    private static ScriptedSmtpServer tlsMx;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        dns = new TestDnsServer().start();
        mx = ScriptedSmtpServer.start(SmtpScript.standard()
            .rcpt(SmtpScript.knownUsers("alice@example.test")));
        dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.1").servfail("broken.test");
        tlsMx = ScriptedSmtpServer.start(SmtpScript.standard().offeringStartTls()
            .rcpt(SmtpScript.knownUsers("alice@tls.test")));
    }

    @AfterAll
    static void stop() {
        tlsMx.close();
        mx.close();
        dns.close();
    }

    private int run(String... extra) {
        List<String> args = new ArrayList<>(Arrays.asList(extra));
        args.add("--allow-private-targets");
        return runGuarded(args.toArray(new String[0]));
    }

    /** Without --allow-private-targets: the target guard in force. */
    private int runGuarded(String... extra) {
        List<String> args = new ArrayList<>(Arrays.asList(extra));
        args.addAll(List.of("--dns", dns.hostPort(), "--port", Integer.toString(mx.port()), "--helo", "cli.example.org"));
        return CbvCommand.run(args.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<String> lines() {
        return Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n"));
    }

    @Test
    void passPrintsTheWordFirstAndExitsZero() {
        assertThat(run("verify", "alice@example.test")).isZero();
        assertThat(lines().get(0)).isEqualTo("pass");
        assertThat(lines()).contains("stage: rcpt", "code: 250", "mxHost: mx.example.test", "ip: 127.0.0.1",
            "domain: example.test");
        assertThat(lines()).noneMatch(l -> l.startsWith("dialog:"));
    }

    @Test
    void errorExitsOne() {
        assertThat(run("verify", "nobody@example.test")).isEqualTo(1);
        assertThat(lines().get(0)).isEqualTo("error");
        assertThat(lines()).contains("enhancedCode: 5.1.1");
    }

    @Test
    void transientExitsTwo() {
        assertThat(run("verify", "a@broken.test", "--total-timeout", "5s")).isEqualTo(2);
        assertThat(lines().get(0)).isEqualTo("transient");
        assertThat(lines()).contains("stage: dns");
    }

    @Test
    void verboseAddsTheDnsAnswersAndTheDialog() {
        assertThat(run("verify", "-v", "alice@example.test", "--mailfrom", "verify@cli.example.org")).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(lines().get(0)).isEqualTo("pass");
        assertThat(text).contains("dialog:").contains("dns: ").contains("-> EHLO cli.example.org")
            .contains("-> MAIL FROM:<verify@cli.example.org>").contains("-> RCPT TO:<alice@example.test>")
            .contains("<- 250");
    }

    @Test
    void jsonPrintsOneObject() {
        assertThat(run("verify", "--json", "nobody@example.test")).isEqualTo(1);
        String json = out.toString(StandardCharsets.UTF_8).trim();
        assertThat(json).startsWith("{").endsWith("}").doesNotContain("\n")
            .contains("\"address\":\"nobody@example.test\"").contains("\"result\":\"error\"")
            .contains("\"stage\":\"rcpt\"").contains("\"code\":550").contains("\"cached\":false")
            .doesNotContain("\"dialog\"");
    }

    @Test
    void jsonWithVerboseCarriesTheDialog() {
        assertThat(run("verify", "--json", "-v", "alice@example.test")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"dialog\":[\"dns: ");
    }

    @Test
    void theMapOptionRedirectsTheCallback() {
        assertThat(run("verify", "alice@other.test", "--map", "other.test=example.test")).isZero();
        assertThat(lines()).contains("domain: example.test");
        assertThat(run("verify", "alice@corp.test", "--map=corp.test=[127.0.0.1]:" + mx.port())).isEqualTo(1);
    }

    @Test
    void theDomainChecksAreShownWhenAsked() {
        // The scripted MX knows alice only: the random address and the postmaster are rejected.
        assertThat(run("verify", "alice@example.test", "--random-check", "--postmaster-check")).isZero();
        assertThat(lines().get(0)).isEqualTo("pass");
        assertThat(lines()).contains("acceptAll: false", "postmasterRejected: true",
            "postmasterRejectedText: postmaster@example.test answered 550 5.1.1 <postmaster@example.test>: "
                + "Recipient address rejected: User unknown");
    }

    @Test
    void theDomainChecksAreBooleansInJson() {
        assertThat(run("verify", "--json", "alice@example.test", "--random-check")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"acceptAll\":false,\"acceptAllText\":\"cbv-")
            .doesNotContain("postmasterRejected");
    }

    @Test
    void allowTargetNetworksOpensTheNetworksGivenOnly() {
        assertThat(runGuarded("verify", "alice@example.test", "--allow-target-networks", "192.0.2.0/24,127.0.0.1/32")).isZero();
        assertThat(lines().get(0)).isEqualTo("pass");
        out.reset();
        assertThat(runGuarded("verify", "alice@example.test", "--allow-target-networks=127.0.0.2/32")).isEqualTo(1);
        assertThat(lines()).contains("error").anyMatch(l -> l.contains("127.0.0.1 is loopback"));
    }

    @Test
    void startTlsIsUsedWhenOfferedAndTheVerdictSaysSo() {
        String toTls = "--map=tls.test=[127.0.0.1]:" + tlsMx.port();

        assertThat(run("verify", "-v", "alice@tls.test", toTls)).isZero();
        assertThat(lines()).anyMatch(l -> l.matches("tls: TLSv1\\.[23] TLS_\\w+"));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("  -> STARTTLS\n", "  TLS handshake\n",
            "  TLS established: TLSv1.");
        out.reset();
        assertThat(run("verify", "--json", "alice@tls.test", toTls)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"tls\":\"TLSv1.");
        out.reset();
        assertThat(run("verify", "alice@tls.test", toTls, "--tls", "none")).isZero();
        assertThat(lines()).contains("tls: none");
    }

    @Test
    void mailAndRcptArePipelinedUnlessTheOptionSaysNo() {
        assertThat(run("verify", "-v", "alice@example.test")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
            .contains("  -> MAIL FROM:<>\n  -> RCPT TO:<alice@example.test>\n  <- 250 2.1.0 Ok\n  <- 250 2.1.5 Ok\n");
        out.reset();
        assertThat(run("verify", "-v", "alice@example.test", "--no-pipelining")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
            .contains("  -> MAIL FROM:<>\n  <- 250 2.1.0 Ok\n  -> RCPT TO:<alice@example.test>\n  <- 250 2.1.5 Ok\n");
    }

    @Test
    void encryptRefusesAServerWithoutStartTls() {
        assertThat(run("verify", "alice@example.test", "--tls=encrypt")).isEqualTo(2);
        assertThat(lines().get(0)).isEqualTo("transient");
        assertThat(lines()).contains("stage: tls", "tls: none")
            .anyMatch(l -> l.startsWith("text: ") && l.contains("TLS required, and the remote does not offer STARTTLS"));
    }

    @Test
    void withoutTheOptionsNoCheckIsMade() {
        assertThat(run("verify", "alice@example.test", "-v")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("acceptAll").doesNotContain("RSET");
    }

    @Test
    void aHeloNameWithoutADotIsWarnedAboutOnStandardErrorAndTheProbeSaysItAllTheSame() {
        int status = CbvCommand.run(new String[] {"verify", "--json", "-v", "alice@example.test", "--helo", "mailhost",
            "--dns", dns.hostPort(), "--port", Integer.toString(mx.port()), "--allow-private-targets"},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("cbv: warning: the probe says EHLO mailhost, which "
            + "is not a fully qualified domain name (it has no dot); remote mail servers may refuse or distrust it. "
            + "Give this server's public name with --helo NAME." + System.lineSeparator());
        assertThat(out.toString(StandardCharsets.UTF_8).trim()).as("standard output stays one JSON object")
            .startsWith("{").endsWith("}").doesNotContain("\n").contains("-> EHLO mailhost");
    }

    @Test
    void aLocalOnlyHeloNameIsWarnedAboutToo() {
        assertThat(CbvCommand.run(new String[] {"verify", "alice@example.test", "--helo", "localhost.localdomain",
            "--dns", dns.hostPort(), "--port", Integer.toString(mx.port()), "--allow-private-targets"},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("cbv: warning: the probe says EHLO localhost.localdomain,")
            .contains("(names under .localdomain are not in the public DNS)");
    }

    @Test
    void aFullyQualifiedHeloNameGetsNoWarning() {
        assertThat(run("verify", "alice@example.test")).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
