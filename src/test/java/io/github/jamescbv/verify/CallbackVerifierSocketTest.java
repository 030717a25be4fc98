package io.github.jamescbv.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.DomainMap;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole engine on real sockets: an in-process DNS server and scripted SMTP servers on
 * 127.0.0.2, .3 and .4, all on one port, standing for the MX hosts of test domains.
 */
class CallbackVerifierSocketTest {
    private static TestDnsServer dns;
    private static ScriptedSmtpServer mx1;
    private static ScriptedSmtpServer mx2;
    private static ScriptedSmtpServer mx3;

    @BeforeAll
    static void startPeers() {
        dns = new TestDnsServer().start();
        mx1 = ScriptedSmtpServer.start("127.0.0.2", 0, SmtpScript.standard());
        mx2 = ScriptedSmtpServer.start("127.0.0.3", mx1.port(), SmtpScript.standard());
        mx3 = ScriptedSmtpServer.start("127.0.0.4", mx1.port(), SmtpScript.standard());
    }

    @AfterAll
    static void stopPeers() {
        mx1.close();
        mx2.close();
        mx3.close();
        dns.close();
    }

    @BeforeEach
    void resetPeers() {
        dns.clear();
        dns.a("mx1.example.test", "127.0.0.2").a("mx2.example.test", "127.0.0.3").a("mx3.example.test", "127.0.0.4");
        for (ScriptedSmtpServer s : List.of(mx1, mx2, mx3)) {
            s.script(SmtpScript.standard());
        }
    }

    private VerifierSettings.Builder settings() {
        return VerifierSettings.builder().heloName("probe.example.org").dnsServers(List.of(dns.hostPort()))
            .port(mx1.port()).allowPrivateTargets(true).dnsTimeout(Duration.ofSeconds(2));
    }

    private Verdict verify(String address, DomainMap map, VerifierSettings.Builder settings, List<String> dialog)
            throws Exception {
        try (CallbackVerifier v = CallbackVerifier.start(settings.build())) {
            return v.verify(Routed.target(map, address), dialog::add, DomainFacts.NONE).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        }
    }

    private Verdict verify(String address, VerifierSettings.Builder settings, List<String> dialog) throws Exception {
        return verify(address, DomainMap.EMPTY, settings, dialog);
    }

    private Verdict verify(String address) throws Exception {
        return verify(address, settings(), new CopyOnWriteArrayList<>());
    }

    private static int connections(ScriptedSmtpServer s, Runnable action) {
        int before = s.connectionCount();
        action.run();
        return s.connectionCount() - before;
    }

    @Test
    void acceptedRecipientIsPassAfterTheFullDialog() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        List<String> dialog = new CopyOnWriteArrayList<>();
        int before = mx1.connectionCount();
        Verdict v = verify("Alice@example.test", settings(), dialog);
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.stage()).isEqualTo(Stage.RCPT);
        assertThat(v.mxHost()).isEqualTo("mx1.example.test");
        assertThat(v.ip()).isEqualTo("127.0.0.2");
        assertThat(mx1.connectionCount() - before).isEqualTo(1);
        ScriptedSmtpServer.Connection c = mx1.lastConnection();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(c::quitReceived);
        assertThat(c.commands()).containsExactly("EHLO probe.example.org", "MAIL FROM:<>",
            "RCPT TO:<Alice@example.test>", "QUIT");
        assertThat(dialog).anyMatch(l -> l.startsWith("dns: ")).anyMatch(l -> l.contains("-> RCPT TO:<Alice@example.test>"));
    }

    @Test
    void unknownUserIsErrorWithTheEnhancedCode() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        mx1.script(SmtpScript.standard().rcpt(SmtpScript.knownUsers("alice@example.test")));
        Verdict v = verify("mallory@example.test");
        assertThat(v.result()).isEqualTo(Result.ERROR);
        assertThat(v.stage()).isEqualTo(Stage.RCPT);
        assertThat(v.code()).isEqualTo(550);
        assertThat(v.enhancedCode()).isEqualTo("5.1.1");
        assertThat(verify("alice@example.test").result()).isEqualTo(Result.PASS);
    }

    @Test
    void nullSenderRefusedAtMailFromIsError() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        mx1.script(SmtpScript.standard().on("MAIL", "550 5.7.1 null sender not accepted"));
        Verdict v = verify("alice@example.test");
        assertThat(v.result()).isEqualTo(Result.ERROR);
        assertThat(v.stage()).isEqualTo(Stage.MAIL);
        assertThat(v.text()).isEqualTo("null sender not accepted");
    }

    @Test
    void mxHostsAreTriedInPreferenceOrderUntilOneAnswers() throws Exception {
        dns.mx("example.test", 30, "mx3.example.test").mx("example.test", 10, "mx1.example.test")
            .mx("example.test", 20, "mx2.example.test");
        mx1.script(SmtpScript.standard().greeting("421 4.3.2 too busy"));
        mx2.script(SmtpScript.standard().on("EHLO", Response.close()));
        int b1 = mx1.connectionCount();
        int b2 = mx2.connectionCount();
        int b3 = mx3.connectionCount();
        Verdict v = verify("alice@example.test");
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.mxHost()).isEqualTo("mx3.example.test");
        assertThat(List.of(mx1.connectionCount() - b1, mx2.connectionCount() - b2, mx3.connectionCount() - b3))
            .containsExactly(1, 1, 1);
    }

    @Test
    void greylistingAtTheFirstMxIsTransientAndTheBackupIsNotAsked() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test");
        mx1.script(SmtpScript.standard().on("RCPT", "450 4.2.0 Greylisted, come back later"));
        int b2 = mx2.connectionCount();
        Verdict v = verify("alice@example.test");
        assertThat(v.result()).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).isEqualTo(Stage.RCPT);
        assertThat(v.code()).isEqualTo(450);
        assertThat(mx2.connectionCount()).isEqualTo(b2);
    }

    @Test
    void aCommandTimeoutMovesOnToTheNextMx() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test");
        mx1.script(SmtpScript.standard().on("RCPT", Response.silence()));
        Verdict v = verify("alice@example.test", settings().commandTimeout(Duration.ofMillis(400)), new CopyOnWriteArrayList<>());
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.mxHost()).isEqualTo("mx2.example.test");
    }

    @Test
    void aServerDroppingTheConnectionMidDialogIsTransientWhenItIsTheOnlyOne() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        mx1.script(SmtpScript.standard().on("MAIL", Response.close()));
        Verdict v = verify("alice@example.test");
        assertThat(v.result()).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).isEqualTo(Stage.MAIL);
        assertThat(v.text()).contains("1 tried");
    }

    @Test
    void repliesSplitAcrossTcpPacketsAreReassembled() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        mx1.script(SmtpScript.standard()
            .on("EHLO", Response.split(Duration.ofMillis(30), "250-mx1 hel", "lo\r\n250-SIZE 1000\r", "\n250 OK\r\n"))
            .on("RCPT", Response.split(Duration.ofMillis(30), "25", "0 2.1.5 ", "fine\r\n")));
        Verdict v = verify("alice@example.test");
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.text()).isEqualTo("fine");
    }

    @Test
    void heloIsUsedWhenEhloIsRefused() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        mx1.script(SmtpScript.standard().on("EHLO", "502 5.5.2 what?"));
        assertThat(verify("alice@example.test").result()).isEqualTo(Result.PASS);
        assertThat(mx1.lastConnection().verbs()).startsWith("EHLO", "HELO", "MAIL", "RCPT");
    }

    @Test
    void implicitMxFromTheDomainsOwnAddress() throws Exception {
        dns.a("bare.test", "127.0.0.3");
        int before = mx2.connectionCount();
        Verdict v = verify("alice@bare.test");
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.mxHost()).isEqualTo("bare.test");
        assertThat(mx2.connectionCount() - before).isEqualTo(1);
    }

    @Test
    void dnsCases() throws Exception {
        dns.nullMx("nomail.test").servfail("broken.test").exists("empty.test");
        Verdict nullMx = verify("a@nomail.test");
        assertThat(nullMx.result()).isEqualTo(Result.ERROR);
        assertThat(nullMx.stage()).isEqualTo(Stage.DNS);
        assertThat(verify("a@nowhere.test").result()).isEqualTo(Result.ERROR);
        assertThat(verify("a@empty.test").result()).isEqualTo(Result.ERROR);
        Verdict servfail = verify("a@broken.test");
        assertThat(servfail.result()).isEqualTo(Result.TRANSIENT);
        assertThat(servfail.stage()).isEqualTo(Stage.DNS);
    }

    @Test
    void loopbackMxIsRefusedByDefault() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        int before = mx1.connectionCount();
        Verdict v = verify("alice@example.test", settings().allowPrivateTargets(false), new CopyOnWriteArrayList<>());
        assertThat(v.result()).isEqualTo(Result.ERROR);
        assertThat(v.stage()).isEqualTo(Stage.POLICY);
        assertThat(v.text()).contains("127.0.0.2 is loopback");
        assertThat(mx1.connectionCount()).isEqualTo(before);
    }

    @Test
    void mapToAnotherDomain() throws Exception {
        dns.mx("example.test", 10, "mx2.example.test");
        Verdict v = verify("bob@alias.test", DomainMap.builder().add("alias.test", "example.test").build(),
            settings(), new CopyOnWriteArrayList<>());
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.domain()).isEqualTo("example.test");
        assertThat(mx2.lastConnection().commands()).contains("RCPT TO:<bob@example.test>");
    }

    @Test
    void mapToAHostWithPort() throws Exception {
        Verdict v = verify("bob@corp.test", DomainMap.builder().add("corp.test", "[127.0.0.4]:" + mx3.port()).build(),
            settings().port(1), new CopyOnWriteArrayList<>());
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.ip()).isEqualTo("127.0.0.4");
        assertThat(mx3.lastConnection().commands()).contains("RCPT TO:<bob@corp.test>");
    }

    @Test
    void theTotalTimeoutBoundsTheWholeVerification() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test");
        mx1.script(SmtpScript.standard().greeting(Response.silence()));
        mx2.script(SmtpScript.standard().greeting(Response.silence()));
        Verdict v = verify("alice@example.test", settings().totalTimeout(Duration.ofMillis(800)), new CopyOnWriteArrayList<>());
        assertThat(v.result()).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).isEqualTo(Stage.GREETING);
        assertThat(v.text()).contains("total timeout");
        // generous: the point is that the 30 s command timeout did not apply
        assertThat(v.elapsed()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void atMostMaxMxAttemptsConnections() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test").mx("example.test", 20, "mx2.example.test")
            .mx("example.test", 30, "mx3.example.test");
        for (ScriptedSmtpServer s : List.of(mx1, mx2, mx3)) {
            s.script(SmtpScript.standard().greeting("421 4.3.2 busy"));
        }
        int b3 = mx3.connectionCount();
        Verdict v = verify("alice@example.test", settings().maxMxAttempts(2), new CopyOnWriteArrayList<>());
        assertThat(v.result()).isEqualTo(Result.TRANSIENT);
        assertThat(v.text()).contains("2 tried");
        assertThat(mx3.connectionCount()).isEqualTo(b3);
    }

    // ---- catch-all and postmaster checks ----

    private static VerifierSettings.Builder withChecks(VerifierSettings.Builder b) {
        return b.randomCheck(true).postmasterCheck(true);
    }

    @Test
    void anAcceptAllServerIsFoundOutInTheSameSession() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        int before = mx1.connectionCount();

        Verdict v = verify("alice@example.test", withChecks(settings()), new CopyOnWriteArrayList<>());

        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.code()).isEqualTo(250);
        assertThat(v.detail()).containsEntry("acceptAll", "true").containsEntry("postmasterRejected", "false");
        assertThat(mx1.connectionCount() - before).isEqualTo(1);
        assertThat(mx1.lastConnection().commands()).startsWith("EHLO probe.example.org", "MAIL FROM:<>",
            "RCPT TO:<alice@example.test>", "RSET", "MAIL FROM:<>");
        assertThat(mx1.lastConnection().commands().get(5)).matches("RCPT TO:<cbv-[a-z2-7]{16}@example\\.test>");
        assertThat(mx1.lastConnection().commands().subList(6, 9))
            .containsExactly("RSET", "MAIL FROM:<>", "RCPT TO:<postmaster@example.test>");
    }

    @Test
    void aNormalServerRejectsTheRandomAddress() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        mx1.script(SmtpScript.standard().rcpt(SmtpScript.knownUsers("alice@example.test", "postmaster@example.test")));

        Verdict v = verify("alice@example.test", withChecks(settings()), new CopyOnWriteArrayList<>());

        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.acceptsAll()).isFalse();
        assertThat(v.detail()).containsEntry("acceptAll", "false").containsEntry("postmasterRejected", "false");
    }

    @Test
    void aServerThatHangsUpAfterARejectionIsAskedThePostmasterOnASecondConnection() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        mx1.script(SmtpScript.standard().on("RCPT", line -> SmtpScript.pathOf(line).equals("alice@example.test")
            ? Response.of("250 2.1.5 Ok")
            : Response.of("550 5.1.1 no such user").thenClose()));
        int before = mx1.connectionCount();
        List<String> dialog = new CopyOnWriteArrayList<>();

        Verdict v = verify("alice@example.test", withChecks(settings()), dialog);

        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.detail()).containsEntry("acceptAll", "false").containsEntry("postmasterRejected", "true");
        assertThat(mx1.connectionCount() - before).isEqualTo(2);
        assertThat(mx1.lastConnection().commands())
            .containsExactly("EHLO probe.example.org", "MAIL FROM:<>", "RCPT TO:<postmaster@example.test>");
        assertThat(dialog).anyMatch(l -> l.startsWith("second connection for the remaining follow-ups"));
    }

    @Test
    void aFollowUpThatTimesOutLeavesThePass() throws Exception {
        dns.mx("example.test", 10, "mx1.example.test");
        mx1.script(SmtpScript.standard().on("RCPT", line -> SmtpScript.pathOf(line).equals("alice@example.test")
            ? Response.of("250 2.1.5 Ok") : Response.silence()));

        Verdict v = verify("alice@example.test", withChecks(settings()).commandTimeout(Duration.ofSeconds(1)),
            new CopyOnWriteArrayList<>());

        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.stage()).isEqualTo(Stage.RCPT);
        assertThat(v.detail()).containsEntry("acceptAll", "unknown").containsEntry("postmasterRejected", "unknown");
        assertThat(v.detail().get("acceptAllText")).endsWith(": no reply within 1s");
    }
}
