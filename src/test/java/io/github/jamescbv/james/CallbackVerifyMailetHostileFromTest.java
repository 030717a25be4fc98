package io.github.jamescbv.james;

import static io.github.jamescbv.james.CallbackVerifyMailetTest.detail;
import static io.github.jamescbv.james.CallbackVerifyMailetTest.mail;
import static io.github.jamescbv.james.CallbackVerifyMailetTest.unescape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.time.Duration;
import java.util.Map;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * From headers written to attack the mailet ({@code address=header:From}), with the real engine
 * behind it and a real DNS server and remote: each is refused before anything goes out, so the
 * DNS server sees no query and the remote no connection, and the attribute says why. Headers
 * that only look alarming (an encoded CR LF in the display name, a local part of exactly 64
 * characters) are called back, with exactly the address between the brackets.
 *
 * <p>{@link CallbackVerifyMailetTest} checks the reasons with a fake engine; this completes the
 * matrix (CR, LF, NUL and other controls in each part, over-long local parts, domains and
 * labels, non-ASCII) and shows that nothing reaches the network.
 */
class CallbackVerifyMailetHostileFromTest {
    private static final String ATTRIBUTE = "smtp_cbv_from";
    private static final String LABEL_63 = "d".repeat(63);

    private static TestDnsServer dns;
    private static ScriptedSmtpServer remote;
    private CbvRuntime runtime;
    private CallbackVerifyMailet mailet;

    @BeforeAll
    static void startPeers() {
        dns = new TestDnsServer().start();
        dns.mx("remote.example", 10, "mx.remote.example").a("mx.remote.example", "127.0.0.1");
        remote = ScriptedSmtpServer.start(SmtpScript.standard());
    }

    @AfterAll
    static void stopPeers() {
        remote.close();
        dns.close();
    }

    @BeforeEach
    void startMailet() throws Exception {
        runtime = new CbvRuntime();
        mailet = new CallbackVerifyMailet(runtime, new RecordingMetricFactory());
        mailet.init(FakeMailetConfig.builder().mailetName("cbv-from")
            .setProperty("address", "header:From")
            .setProperty("attribute", ATTRIBUTE)
            .setProperty("dns", dns.hostPort())
            .setProperty("port", String.valueOf(remote.port()))
            .setProperty("allowPrivateTargets", "true")
            .setProperty("heloName", "verifier.test") // a name of ours: no WARN about this host's per case
            .setProperty("maxWait", "20s")
            .build());
    }

    @AfterEach
    void stopMailet() {
        runtime.close();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        // the From header (\r, \n, \0 as written)                | the reason the attribute's text names
        "<ali\\rce@remote.example>                                  | control character",
        "<alice@remote\\n.example>                                  | control character",
        "<alice@remote.example>\\r\\nBcc: <victim@target.example>   | control character",
        "<alice\\0@remote.example>                                  | control character",
        "<alice@remote.exa\\0mple>                                  | control character",
        "Ali\\0ce <alice@remote.example>                            | control character",
        "\"Alice\\r\\nRCPT TO:<victim@target.example>\" <alice@remote.example> | control character",
    })
    void lineBreaksAndNulAnywhereAreRefusedBeforeAnyLookup(String from, String reason) throws Exception {
        assertRefusedQuietly(unescape(from), reason);
    }

    static Object[][] otherHostileFroms() {
        String local64 = "l".repeat(64);
        return new Object[][] {
            {"<ali\u0007ce@remote.example>", "control character"},
            {"<alice@remote\u001b[2J.example>", "control character"},
            {"<alice\u007f@remote.example>", "control character"},
            {"<ali\tce@remote.example>", "From header cannot be parsed"},
            {"<" + local64 + "l@remote.example>", "local part longer than 64 characters"},
            {"<\"" + "q".repeat(63) + "\"@remote.example>", "local part longer than 64 characters"},
            {"<alice@" + "d".repeat(64) + ".remote.example>", "bad domain label"},
            {"<a@" + String.join(".", LABEL_63, LABEL_63, LABEL_63, LABEL_63, "example") + ">",
                "address longer than 254 characters"},
            // 255 characters: one too many
            {"<" + local64 + "@" + String.join(".", LABEL_63, LABEL_63, "d".repeat(54), "example") + ">",
                "address longer than 254 characters"},
            {"<élise@remote.example>", "non-ASCII character in address"},
            {"<alice@bücher.example>", "non-ASCII character in address"},
            {"<ali\u0085ce@remote.example>", "non-ASCII character in address"},
            {"<alice@remote\u2028.example>", "From header cannot be parsed"},
            {"<alice\uff20remote.example>", "non-ASCII character in address"},
            {"<\"ali\u00a0ce\"@remote.example>", "non-ASCII character in address"},
        };
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("otherHostileFroms")
    void otherControlsOverlongPartsAndNonAsciiAreRefusedBeforeAnyLookup(String from, String reason) throws Exception {
        assertRefusedQuietly(from, reason);
    }

    static Object[][] harmlessFroms() {
        String local64 = "l".repeat(64);
        return new Object[][] {
            // an encoded CR LF in the display name is never decoded into anything we write
            {"=?UTF-8?Q?Alice=0D=0ARCPT_TO=3A=3Cvictim=40target.example=3E?= <alice@remote.example>", "alice@remote.example"},
            {"\"Smith,\r\n Alice\" <alice@remote.example>", "alice@remote.example"},
            {"<" + local64 + "@remote.example>", local64 + "@remote.example"},
        };
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("harmlessFroms")
    void fromsThatOnlyLookAlarmingAreCalledBackWithTheBareAddress(String from, String address) throws Exception {
        int before = remote.connectionCount();
        Mail mail = mail("bounces@list.example", from);

        mailet.service(mail);

        assertThat(detail(mail, ATTRIBUTE)).containsEntry("result", "pass").containsEntry("stage", "rcpt");
        assertThat(remote.connectionCount() - before).isEqualTo(1);
        ScriptedSmtpServer.Connection c = remote.lastConnection();
        await().atMost(Duration.ofSeconds(10)).until(c::quitReceived);
        // EHLO, MAIL, this RCPT, and RSET before the kept connection's QUIT: nothing else reached the remote
        assertThat(c.commands()).filteredOn(line -> line.startsWith("RCPT")).containsExactly("RCPT TO:<" + address + ">");
        assertThat(c.verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "QUIT");
    }

    /** The From is refused with its reason, and neither the DNS server nor the remote heard of it. */
    private void assertRefusedQuietly(String from, String reason) throws Exception {
        int queries = dns.totalQueries();
        int connections = remote.connectionCount();
        Mail mail = mail("bounces@list.example", from);

        mailet.service(mail);

        Map<String, String> detail = detail(mail, ATTRIBUTE);
        assertThat(detail).containsEntry("result", "transient").containsEntry("stage", "policy");
        assertThat(detail.get("text")).startsWith("address cannot be verified").contains(reason).matches("[ -~]*");
        assertThat(dns.totalQueries()).as("DNS queries").isEqualTo(queries);
        assertThat(remote.connectionCount()).as("connections to the remote").isEqualTo(connections);
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
    }
}
