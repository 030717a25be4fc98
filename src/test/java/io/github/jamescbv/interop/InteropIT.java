package io.github.jamescbv.interop;

import static io.github.jamescbv.interop.InteropPeers.ZONE;
import static io.github.jamescbv.interop.InteropPeers.alice;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.Cidr;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.PolicyRejection;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;

import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.james.e2e.JamesUnderTest;
import io.github.jamescbv.smtp.ReuseSettings;
import io.github.jamescbv.smtp.TlsPolicy;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.PostfixLog.SmtpdSession;
import io.github.jamescbv.testing.peers.PostfixLog;
import io.github.jamescbv.testing.peers.PostfixPeer;
import io.github.jamescbv.testing.peers.RequiresPeers;
import io.github.jamescbv.verify.CallbackVerifier;
import io.github.jamescbv.verify.EngineResources;
import io.github.jamescbv.verify.Routed;
import io.github.jamescbv.verify.VerifierSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.james.GuiceJamesServer;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interop with software no one here wrote: a real James 3.8.1 with our handler receives mail
 * sent by the real swaks; the handler calls back real Postfix 3.7 MXs, found through a real
 * dnsmasq. Each scenario asserts the verdict stored on the mail, and, from Postfix's own log,
 * that our probe ended cleanly: QUIT, no lost connection, no pipelining complaint, no warning.
 * The handler says {@code tls may} (the default); {@code encrypt} and {@code none} are asked of
 * the engine itself, with the handler's settings otherwise. The layout of the peers: {@link InteropPeers}.
 */
@RequiresPeers({Need.ROOT, Need.POSTFIX, Need.DNSMASQ, Need.SWAKS, Need.OPENSSL})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InteropIT {
    static final String LOCAL_DOMAIN = "local.interop.test";
    static final String BOB = "bob@" + LOCAL_DOMAIN;
    static final Duration GENEROUS = Duration.ofSeconds(30);
    /** totalTimeout of interop/smtpserver.xml. */
    static final Duration TOTAL_TIMEOUT = Duration.ofSeconds(12);
    static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(InteropIT.class);
    private static final Pattern RCPTS = Pattern.compile("\\brcpt=(\\d+)(?:/(\\d+))?");

    @TempDir
    static Path workingDirectory;
    static boolean ipv6;
    static InteropPeers peers;
    static GuiceJamesServer james;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        ipv6 = ipv6Loopback();
        peers = InteropPeers.start(ipv6);
        james = JamesUnderTest.started(workingDirectory, "interop/smtpserver.xml", BOB, "secret");
        port = james.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    @AfterAll
    static void stop() {
        try {
            if (james != null) {
                james.stop();
            }
        } finally {
            if (peers != null) {
                peers.close();
            }
        }
    }

    // ------------------------------------------------------------------ answers of a real Postfix

    @Test
    @Order(1)
    void aKnownMailboxPasses() throws Exception {
        Delivery d = deliver(alice("known"), peers.vmail);
        assertThat(d.mail.result()).contains("pass");
        assertThat(d.mail.detail()).containsEntry("stage", "rcpt").containsEntry("code", "250")
            .containsEntry("enhancedCode", "2.1.5").containsEntry("ip", InteropPeers.VMAIL)
            .containsEntry("mxHost", "mx-vmail." + ZONE);
        // RSET: the connection was kept for the next probe, then said QUIT when its idle time was over
        assertThat(d.session.disconnect().orElseThrow()).contains("ehlo=1 mail=1 rcpt=1 rset=1 quit=1");
    }

    @Test
    @Order(2)
    void anUnknownMailboxIsAnError() throws Exception {
        String sender = "nobody@known." + ZONE;
        Delivery d = deliver(sender, peers.vmail);
        assertThat(d.mail.result()).contains("error");
        assertThat(d.mail.detail()).containsEntry("stage", "rcpt").containsEntry("code", "550")
            .containsEntry("enhancedCode", "5.1.1")
            .containsEntry("text", "<" + sender + ">: Recipient address rejected: User unknown in virtual mailbox table");
        assertThat(d.session.lines()).anyMatch(l -> l.contains("reject: RCPT from") && l.contains("to=<" + sender + ">")
            && l.contains("from=<>") && l.contains("helo=<verifier.interop.test>"));
    }

    @Test
    @Order(3)
    void theNullSenderRefusedAtMailFromIsAPolicyError() throws Exception {
        Delivery d = deliver(alice("nullsender"), peers.nullSender);
        assertThat(d.mail.result()).contains("error");
        assertThat(d.mail.detail()).containsEntry("stage", "mail").containsEntry("code", "554")
            .containsEntry("enhancedCode", "5.7.1").containsEntry("policyRejection", "true")
            .containsEntry("ip", InteropPeers.NULL_SENDER);
        assertThat(d.session.lines()).anyMatch(l -> l.contains("reject: MAIL from") && l.contains("Null sender not accepted"));
        // pipelined: the RCPT TO went out with MAIL FROM, and Postfix refused it too (its reply read and ignored)
        assertThat(d.session.disconnect().orElseThrow()).contains("mail=0/1").contains("rcpt=0/1").contains("quit=1");
    }

    /**
     * Postfix's default smtpd_delay_reject = yes moves the null-sender refusal to RCPT TO: it is
     * still a refusal of our probe, not of the address, and must be marked so, or
     * {@code <action>reject</action>} would refuse a real sender because its server dislikes us.
     */
    @Test
    @Order(3)
    void theNullSenderRefusedOnlyAtRcptByDelayedRejectionIsAPolicyError() throws Exception {
        Delivery d = deliver(alice("latenull"), peers.lateNull);
        assertThat(d.mail.result()).contains("error");
        assertThat(d.mail.detail()).containsEntry("stage", "rcpt").containsEntry("code", "554")
            .containsEntry("enhancedCode", "5.7.1").containsEntry("policyRejection", "true")
            .containsEntry("ip", InteropPeers.LATE_NULL);
        assertThat(d.session.lines()).anyMatch(l -> l.contains("reject: RCPT from") && l.contains("Sender address rejected")
            && l.contains("from=<>"));
        assertThat(d.session.disconnect().orElseThrow()).contains("mail=1").contains("rcpt=0/1").contains("quit=1");
    }

    @Test
    @Order(4)
    void greylistingIsTransient() throws Exception {
        int deferredBefore = peers.greylist.greylist().orElseThrow().deferred();
        Delivery d = deliver(alice("grey"), peers.greylist);
        assertThat(d.mail.result()).contains("transient");
        assertThat(d.mail.detail()).containsEntry("stage", "rcpt").containsEntry("code", "450")
            .containsEntry("enhancedCode", "4.7.1").containsEntry("ip", InteropPeers.GREYLIST);
        assertThat(d.mail.detail().get("text")).contains("Greylisted");
        assertThat(peers.greylist.greylist().orElseThrow().deferred()).isEqualTo(deferredBefore + 1);
    }

    @Test
    @Order(5)
    void aTarpitLongerThanTheCommandTimeoutIsTransientWithinTheTotalTimeout() throws Exception {
        int before = peers.tarpit.log().sessions().size();
        StoredMail mail = deliver(alice("tarpit"));
        assertThat(mail.result()).contains("transient");
        // stage mail: MAIL FROM and RCPT TO went out pipelined, and Postfix answers a group once it has
        // processed it all, so the MAIL FROM reply waits behind the tarpit's 5 s sleep at RCPT TO
        assertThat(mail.detail()).containsEntry("stage", "mail").containsEntry("ip", InteropPeers.TARPIT);
        assertThat(mail.detail().get("text")).contains("no reply within 3s");
        assertThat(Long.parseLong(mail.detail().get("elapsedMs"))).isLessThan(TOTAL_TIMEOUT.toMillis());
        // We hang up on a tarpit without QUIT (nobody would read its reply in time): Postfix
        // notices when its sleep is over, answers the RCPT into the closed connection, and says so.
        SmtpdSession session = newSession(peers.tarpit, before, InteropPeers.TARPIT_DELAY.plus(GENEROUS));
        assertThat(session.problems()).containsExactly("lost connection after RCPT from localhost[127.0.0.1]");
        assertThat(session.disconnect().orElseThrow()).contains("ehlo=1 mail=1 rcpt=1").doesNotContain("quit");
    }

    // ------------------------------------------------------------------ what the zone says

    @Test
    @Order(10)
    void severalPreferencesAreTriedInOrderPastADeadHost() throws Exception {
        int greyBefore = peers.greylist.log().sessions().size();
        Delivery d = deliver(alice("multi"), peers.vmail);
        assertThat(d.mail.result()).contains("pass");
        assertThat(d.mail.detail()).containsEntry("mxHost", "mx-vmail." + ZONE).containsEntry("ip", InteropPeers.VMAIL);
        assertThat(peers.greylist.log().sessions()).as("preference 30 is never asked").hasSize(greyBefore);
    }

    @Test
    @Order(11)
    void aDomainWithOnlyAnARecordIsItsOwnMx() throws Exception {
        Delivery d = deliver(alice("aonly"), peers.vmail);
        assertThat(d.mail.result()).contains("pass");
        assertThat(d.mail.detail()).containsEntry("mxHost", "aonly." + ZONE).containsEntry("ip", InteropPeers.VMAIL);
    }

    @Test
    @Order(12)
    void aDomainWithOnlyAnAaaaRecordIsCalledBackOverIpv6() throws Exception {
        Assumptions.assumeTrue(ipv6, "no IPv6 loopback (::1) on this machine");
        Delivery d = deliver(alice("aaaaonly"), peers.vmail);
        assertThat(d.mail.result()).contains("pass");
        assertThat(d.mail.detail()).containsEntry("mxHost", "aaaaonly." + ZONE).containsEntry("ip", "0:0:0:0:0:0:0:1");
        assertThat(d.session.client).isEqualTo("::1");
    }

    @Test
    @Order(13)
    void theNullMxIsAnErrorWithoutAConnection() throws Exception {
        assertNoConnection("someone@nullmx." + ZONE, "error", "null MX");
    }

    @Test
    @Order(14)
    void nxdomainIsAnError() throws Exception {
        assertNoConnection("someone@nx." + ZONE, "error", "NXDOMAIN");
    }

    @Test
    @Order(15)
    void anMxNamingAHostThatDoesNotExistIsAnError() throws Exception {
        assertNoConnection("someone@dangling." + ZONE, "error", "no MX host of dangling." + ZONE + " has an address");
    }

    @Test
    @Order(16)
    void anMxPointingAtLoopbackIsRefusedThoughThePeersAreAllowed() throws Exception {
        StoredMail mail = assertNoConnection("someone@loopback." + ZONE, "error", "127.0.0.1 is loopback");
        assertThat(mail.detail()).containsEntry("stage", "policy");
    }

    @Test
    @Order(17)
    void aDomainWhoseLookupsFailIsTransient() throws Exception {
        StoredMail mail = assertNoConnection("someone@broken.test", "transient", "timeout");
        assertThat(mail.detail()).containsEntry("stage", "dns");
    }

    // ------------------------------------------------------------------ STARTTLS

    /**
     * tlsonly: Postfix requiring TLS ({@code encrypt}), which refuses MAIL FROM in clear text;
     * selfsigned: Postfix offering it ({@code may}) with a certificate for another name. The
     * handler's {@code may} asks both inside TLS, and what they answer there decides.
     */
    @ParameterizedTest(name = "{0}.interop.test: {1} {2} {3}, asked inside TLS")
    @CsvSource({"alice@tlsonly, pass, 250, 2.1.5", "nobody@tlsonly, error, 550, 5.1.1", "alice@selfsigned, pass, 250, 2.1.5"})
    @Order(20)
    void aServerOfferingOrRequiringTlsIsAskedInsideTls(String sender, String result, String code, String enhanced)
        throws Exception {
        boolean required = sender.endsWith("@tlsonly");
        Delivery d = deliver(sender + "." + ZONE, required ? peers.tlsOnly : peers.selfSigned);
        assertThat(d.mail.result()).contains(result);
        assertThat(d.mail.detail()).containsEntry("stage", "rcpt").containsEntry("code", code)
            .containsEntry("enhancedCode", enhanced).containsEntry("policyRejection", "false")
            .containsEntry("ip", required ? InteropPeers.TLS_ONLY : InteropPeers.SELF_SIGNED);
        assertAskedInsideTls(d);
    }

    @Test
    @Order(23)
    void aServerWithoutStartTlsIsAskedInClearTextUnderMay() throws Exception {
        Delivery d = deliver(alice("plain"), peers.vmail);
        assertThat(d.mail.result()).contains("pass");
        assertThat(d.mail.detail()).containsEntry("tls", "none").containsEntry("ip", InteropPeers.VMAIL);
        assertThat(d.session.tls()).isEmpty();
        assertThat(d.session.disconnect().orElseThrow()).contains("ehlo=1 mail=1 rcpt=1 rset=1 quit=1")
            .doesNotContain("starttls");
    }

    @Test
    @Order(24)
    void underEncryptAServerWithoutStartTlsIsTransientAndOnesWithItPass() throws Exception {
        Verdict plain = verifyDirectly(alice("plain"), TlsPolicy.ENCRYPT, peers.vmail, session -> {
            assertThat(session.disconnect().orElseThrow()).contains("ehlo=1 quit=1 commands=2");
            assertThat(session.problems()).isEmpty();
        });
        assertVerdict(plain, Result.TRANSIENT, Stage.TLS, "TLS required, and the remote does not offer STARTTLS");
        assertThat(plain.tls()).isEqualTo("none");

        for (String sender : List.of(alice("selfsigned"), alice("tlsonly"))) {
            Verdict v = verifyDirectly(sender, TlsPolicy.ENCRYPT);
            assertThat(v.result()).as("%s", v).isEqualTo(Result.PASS);
            assertThat(v.tls()).startsWith("TLSv1.");
        }
    }

    /** What the probe got before it spoke TLS: Postfix's 530 at MAIL FROM, a refusal of the probe, not of the address. */
    @Test
    @Order(25)
    void withoutTlsTheServerThatRequiresItRefusesTheProbe() throws Exception {
        Verdict clear = verifyDirectly(alice("tlsonly"), TlsPolicy.NONE, peers.tlsOnly,
            session -> assertThat(session.endedWithQuit()).isTrue());
        assertVerdict(clear, Result.ERROR, Stage.MAIL, "Must issue a STARTTLS command first");
        assertThat(clear.code() + " " + clear.enhancedCode()).isEqualTo("530 5.7.0");
        assertThat(PolicyRejection.isPolicyRejection(clear)).isTrue();
    }

    // ------------------------------------------------------------------ connection reuse

    /**
     * 200 new senders of one domain arriving together (50 clients at a time, from this JVM: 200
     * swaks processes would starve the 2-core machine): every verdict right,
     * and Postfix's log shows at least ten times fewer sessions than senders, every RCPT TO
     * accounted for, every session ending with QUIT and nothing to complain of.
     */
    @Test
    @Order(30)
    void twoHundredSendersOfOneDomainShareAFewConnectionsAndEveryVerdictIsRight() throws Exception {
        int before = peers.many.log().sessions().size();
        ExecutorService clients = Executors.newFixedThreadPool(50);
        List<String> subjects = new ArrayList<>();
        try {
            List<Future<String>> sent = new ArrayList<>();
            for (int n = 1; n <= InteropPeers.MANY_SENDERS; n++) {
                String sender = InteropPeers.manySender(n);
                String subject = "interop " + COUNTER.incrementAndGet() + " " + sender;
                sent.add(clients.submit(() -> {
                    SmtpSubmission.send(port, sender, BOB, subject);
                    return subject;
                }));
            }
            for (Future<String> subject : sent) {
                subjects.add(subject.get(GENEROUS.toSeconds() * 2, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
        // read once all are in: polling the repositories per mail, 50 at a time, would eat the CPU
        List<StoredMail> mails = JamesUnderTest.awaitMails(james, subjects);
        for (int n = 1; n <= InteropPeers.MANY_SENDERS; n++) {
            StoredMail mail = mails.get(n - 1);
            assertThat(mail.result()).as("%s", InteropPeers.manySender(n))
                .contains(InteropPeers.manySenderExists(n) ? "pass" : "error");
            assertThat(mail.detail()).containsEntry("stage", "rcpt").containsEntry("cached", "false");
        }

        PostfixLog log = peers.many.awaitLog(l -> l.sessions().size() > before
            && l.sessions().subList(before, l.sessions().size()).stream().allMatch(x -> x.disconnect().isPresent())
            && rcpts(l.sessions().subList(before, l.sessions().size())) == InteropPeers.MANY_SENDERS, GENEROUS);
        List<SmtpdSession> sessions = log.sessions().subList(before, log.sessions().size());
        LOG.info("{} senders of many.{}: {} Postfix sessions, RCPT TOs per session {}", InteropPeers.MANY_SENDERS, ZONE,
            sessions.size(), sessions.stream().map(x -> rcpts(List.of(x))).collect(Collectors.toList()));
        assertThat(sessions.size()).as("sessions for %d senders", InteropPeers.MANY_SENDERS)
            .isLessThanOrEqualTo(InteropPeers.MANY_SENDERS / 10);
        for (SmtpdSession session : sessions) {
            assertThat(session.endedWithQuit()).as("QUIT: " + session.disconnect()).isTrue();
            assertThat(session.problems()).as(session.toString()).isEmpty();
        }
        assertThat(peers.many.log().warnings()).isEmpty();
    }

    /**
     * A Postfix that slows a session down after two refused recipients (every reply then waits
     * smtpd_error_sleep_time, 2 s), asked about many addresses it does not know: with reuse, no
     * verdict waits for that sleep (the late RSET ends the connection first), as without reuse.
     */
    @Test
    @Order(31)
    void aRemoteThatSlowsDownAfterErrorsAnswersAsFastAsWithoutReuse() throws Exception {
        int probes = 12;
        int before = peers.slowdown.log().sessions().size();
        List<Verdict> reused = verifyUnknownSlowdownSenders(ReuseSettings.DEFAULTS, probes, "kept");
        PostfixLog log = peers.slowdown.awaitLog(l -> l.sessions().size() > before
            && l.sessions().subList(before, l.sessions().size()).stream().allMatch(x -> x.disconnect().isPresent()), GENEROUS);
        List<SmtpdSession> keptSessions = log.sessions().subList(before, log.sessions().size());
        int between = log.sessions().size();
        List<Verdict> fresh = verifyUnknownSlowdownSenders(ReuseSettings.OFF, probes, "fresh");

        LOG.info("slowdown peer: elapsed ms with reuse {}, without {}; {} sessions with reuse, RCPT TOs per session {}",
            reused.stream().map(v -> v.elapsed().toMillis()).collect(Collectors.toList()),
            fresh.stream().map(v -> v.elapsed().toMillis()).collect(Collectors.toList()), keptSessions.size(),
            keptSessions.stream().map(x -> rcpts(List.of(x))).collect(Collectors.toList()));
        for (List<Verdict> run : List.of(reused, fresh)) {
            for (Verdict v : run) {
                assertVerdict(v, Result.ERROR, Stage.RCPT, "User unknown");
                assertThat(v.elapsed()).as("%s", v).isLessThan(InteropPeers.ERROR_SLEEP);
            }
        }
        assertThat(keptSessions.size()).as("connections were kept").isLessThan(probes);
        assertThat(keptSessions).allSatisfy(x -> assertThat(rcpts(List.of(x))).as("%s", x).isLessThanOrEqualTo(2));
        assertThat(peers.slowdown.awaitLog(l -> l.sessions().size() >= between + probes
            && l.sessions().stream().allMatch(x -> x.disconnect().isPresent()), GENEROUS).sessions())
            .allSatisfy(x -> assertThat(x.endedWithQuit()).as("%s", x).isTrue());
    }

    /** A Postfix that times idle sessions out after 1 s (421, then it closes): the kept connection is not used again. */
    @Test
    @Order(32)
    void aRemoteThatTimesAKeptConnectionOutCostsNoVerdict() throws Exception {
        int before = peers.impatient.log().sessions().size();
        assertThat(deliver(alice("impatient")).result()).contains("pass");
        SmtpdSession first = newSession(peers.impatient, before, GENEROUS);
        assertThat(first.lines()).anyMatch(l -> l.startsWith("timeout after RSET"));

        StoredMail second = deliver("nobody@impatient." + ZONE);

        assertThat(second.result()).contains("error");
        assertThat(second.detail()).containsEntry("stage", "rcpt").containsEntry("code", "550");
        assertThat(peers.impatient.awaitLog(l -> l.sessions().size() == before + 2, GENEROUS).sessions())
            .as("a new session for the second probe").hasSize(before + 2);
    }

    /** Verifies {@code count} unknown senders of slowdown.interop.test one after another, on an engine with its own pool. */
    private static List<Verdict> verifyUnknownSlowdownSenders(ReuseSettings reuse, int count, String tag) throws Exception {
        List<Verdict> verdicts = new ArrayList<>();
        try (EngineResources resources = EngineResources.start(2)) {
            resources.reuse(reuse, 2);
            CallbackVerifier engine = resources.verifier(engineSettings(TlsPolicy.MAY));
            for (int i = 0; i < count; i++) {
                verdicts.add(engine.verify(Routed.target("nobody-" + tag + "-" + i + "@slowdown." + ZONE),
                    DialogListener.NONE, DomainFacts.NONE).toCompletableFuture().get(GENEROUS.toSeconds(), TimeUnit.SECONDS));
            }
            // before closing the engine: its last connections take leave in their own time (slowly, here)
            peers.slowdown.awaitLog(l -> l.sessions().stream().allMatch(x -> x.disconnect().isPresent()), GENEROUS);
        }
        return verdicts;
    }

    /** RCPT TOs the sessions were asked, from their disconnect lines ({@code rcpt=19/20}: 20). */
    private static int rcpts(List<SmtpdSession> sessions) {
        int n = 0;
        for (SmtpdSession session : sessions) {
            Matcher m = RCPTS.matcher(session.disconnect().orElse(""));
            if (m.find()) {
                n += Integer.parseInt(m.group(2) != null ? m.group(2) : m.group(1));
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ our manners, as Postfix saw them

    @Test
    @Order(100)
    void everyProbeOfOursEndedWithQuitAndPostfixWarnedOfNothing() {
        int sessions = 0;
        for (PostfixPeer peer : peers.politePeers()) {
            PostfixLog log = peer.awaitLog(l -> l.sessions().stream().allMatch(s -> s.disconnect().isPresent()), GENEROUS);
            for (SmtpdSession s : log.sessions()) {
                assertThat(s.endedWithQuit()).as(peer.name() + ": " + s).isTrue();
                assertThat(s.problems()).as(peer.name() + ": " + s).isEmpty();
                sessions++;
            }
        }
        assertThat(sessions).as("probes seen by the polite peers").isGreaterThanOrEqualTo(6);
        for (PostfixPeer peer : peers.postfixes()) {
            assertThat(peer.log().warnings()).as(peer.name() + " warnings").isEmpty();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The verdict names the TLS session that Postfix logged, and the probe said STARTTLS, EHLO again, then asked and said QUIT. */
    private static void assertAskedInsideTls(Delivery d) {
        String tls = d.mail.detail().get("tls");
        assertThat(tls).matches("TLSv1\\.[23] TLS_\\w+");
        String[] protocolAndCipher = tls.split(" ");
        assertThat(d.session.tls()).hasValueSatisfying(t -> assertThat(t)
            .startsWith(protocolAndCipher[0] + " with cipher " + protocolAndCipher[1] + " "));
        // rcpt=1, or rcpt=0/1 when the address was refused
        assertThat(d.session.disconnect().orElseThrow()).contains("ehlo=2 starttls=1 mail=1 rcpt=").contains(" quit=1 ");
    }

    private static void assertVerdict(Verdict v, Result result, Stage stage, String text) {
        assertThat(v.result()).as("%s", v).isEqualTo(result);
        assertThat(v.stage()).as("%s", v).isEqualTo(stage);
        assertThat(v.text()).contains(text);
    }

    /** {@link #verifyDirectly(String, TlsPolicy)}, and the session {@code mx} logged for it, once over, checked by {@code session}. */
    private static Verdict verifyDirectly(String address, TlsPolicy tls, PostfixPeer mx, Consumer<SmtpdSession> session)
        throws Exception {
        int before = mx.log().sessions().size();
        Verdict v = verifyDirectly(address, tls);
        session.accept(newSession(mx, before, GENEROUS));
        return v;
    }

    /** One verification by the engine itself under {@code tls}, with the handler's engine settings otherwise. */
    private static Verdict verifyDirectly(String address, TlsPolicy tls) throws Exception {
        try (CallbackVerifier engine = CallbackVerifier.start(engineSettings(tls))) {
            return engine.verify(Routed.target(address), DialogListener.NONE, DomainFacts.NONE).toCompletableFuture()
                .get(GENEROUS.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** The handler's engine settings (interop/smtpserver.xml), under {@code tls}. */
    private static VerifierSettings engineSettings(TlsPolicy tls) {
        return VerifierSettings.builder().heloName("verifier.interop.test")
            .dnsServers(List.of(InteropPeers.DNS_ADDRESS + ":53")).allowTargetNetworks(Cidr.parseList("127.0.0.16/28"))
            .connectTimeout(Duration.ofSeconds(2)).commandTimeout(Duration.ofSeconds(3)).totalTimeout(TOTAL_TIMEOUT)
            .tls(tls).build();
    }

    /** A stored mail and the Postfix session of its callback. */
    static final class Delivery {
        final StoredMail mail;
        final SmtpdSession session;

        Delivery(StoredMail mail, SmtpdSession session) {
            this.mail = mail;
            this.session = session;
        }
    }

    /** Sends mail from {@code sender} and returns it with the session {@code mx} logged for its callback, checked clean. */
    private static Delivery deliver(String sender, PostfixPeer mx) throws Exception {
        int before = mx.log().sessions().size();
        StoredMail mail = deliver(sender);
        SmtpdSession session = newSession(mx, before, GENEROUS);
        assertThat(session.endedWithQuit()).as("QUIT: " + session).isTrue();
        assertThat(session.problems()).as(session.toString()).isEmpty();
        return new Delivery(mail, session);
    }

    /** Sends mail from {@code sender} with swaks and returns it as James stored it, with its verdict. */
    private static StoredMail deliver(String sender) throws Exception {
        String subject = "interop " + COUNTER.incrementAndGet() + " " + sender;
        String transcript = Swaks.send(port, sender, BOB, subject);
        assertThat(transcript).contains("<-  250");
        StoredMail mail = JamesUnderTest.awaitMail(james, subject);
        assertThat(mail.detail()).as("the verdict of %s", sender)
            .containsEntry("result", mail.result().orElseThrow());
        return mail;
    }

    /** A scenario decided before any connection: the verdict, and no Postfix saw anything. */
    private static StoredMail assertNoConnection(String sender, String result, String text) throws Exception {
        Map<String, Integer> before = sessionCounts();
        StoredMail mail = deliver(sender);
        assertThat(mail.result()).contains(result);
        assertThat(mail.detail().get("text")).contains(text);
        assertThat(mail.detail().get("ip")).as("no address was tried").isEmpty();
        assertThat(sessionCounts()).isEqualTo(before);
        return mail;
    }

    private static Map<String, Integer> sessionCounts() {
        return peers.postfixes().stream().collect(Collectors.toMap(PostfixPeer::name, p -> p.log().sessions().size()));
    }

    /** The session that began after the first {@code before} ones, once it is over. */
    private static SmtpdSession newSession(PostfixPeer mx, int before, Duration limit) {
        PostfixLog log = mx.awaitLog(l -> l.sessions().size() > before && l.sessions().get(before).disconnect().isPresent(), limit);
        List<SmtpdSession> sessions = log.sessions();
        assertThat(sessions).as("one callback, one session").hasSize(before + 1);
        return sessions.get(before);
    }

    /** Whether ::1 exists here (some containers have no IPv6 at all). */
    private static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
