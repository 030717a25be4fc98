package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static io.github.jamescbv.james.e2e.JamesUnderTest.probeCount;
import static io.github.jamescbv.james.e2e.JamesUnderTest.probeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.utils.DataProbeImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The handler in a real James 3.8.1, loaded from smtpserver.xml, against scripted remote MXs.
 * One James for the whole class (three SMTP servers: phase mailfrom, phase rcptto, and one
 * with a single event loop), because booting James takes seconds.
 *
 * <p>The scripted MX answers RCPT TO by the local part of the address: {@code pass*} 250,
 * {@code error*} 550 5.1.1, {@code transient*} 450 4.2.0, {@code held*} 250 once the test
 * releases that address's latch. The silent MX accepts connections and never says a word.
 * Random local parts of the catch-all check ({@code cbv-*}) are rejected, except at
 * {@code catchall.example}, where every address is accepted.
 */
class CallbackVerifyJamesTest {
    static final String MAILFROM = "mailfrom.cbv.test";
    static final String RCPTTO = "rcptto.cbv.test";
    static final String ONELOOP = "oneloop.cbv.test";
    static final String LOCAL_DOMAIN = "local.test";
    static final String BOB = "bob@" + LOCAL_DOMAIN;
    static final String BOB_PASSWORD = "bob-secret";
    static final Duration MAX_WAIT = Duration.ofSeconds(2); // maxWait of the mailfrom and rcptto servers
    static final Duration GENEROUS = Duration.ofSeconds(30);

    static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
    static final AtomicInteger COUNTER = new AtomicInteger();

    // Started before James (static fields initialise in order), which reads their ports from system properties.
    static final ScriptedSmtpServer MX = ScriptedSmtpServer.start(SmtpScript.standard().on("RCPT", line -> {
        String address = SmtpScript.pathOf(line);
        String local = address.substring(0, Math.max(0, address.indexOf('@')));
        if (address.endsWith("@catchall.example")) {
            return Response.of("250 2.1.5 Ok");
        }
        if (local.startsWith("cbv-")) {
            return Response.of("550 5.1.1 <" + address + ">: Recipient address rejected: User unknown");
        }
        if (local.startsWith("error")) {
            return Response.of("550 5.1.1 <" + address + ">: Recipient address rejected: User unknown");
        }
        if (local.startsWith("transient")) {
            return Response.of("450 4.2.0 <" + address + ">: Recipient address rejected: Greylisted");
        }
        if (local.startsWith("held")) {
            return Response.of("250 2.1.5 Ok").awaiting(latch(address));
        }
        return Response.of("250 2.1.5 Ok");
    }));
    static final ScriptedSmtpServer SILENT = ScriptedSmtpServer.start(SmtpScript.standard().greeting(Response.silence()));
    static final TestDnsServer DNS = new TestDnsServer()
        .mx("target.example", 10, "mx.target.example")
        .a("mx.target.example", "127.0.0.1")
        .start();

    static {
        System.setProperty("cbv.it.mx", Integer.toString(MX.port()));
        System.setProperty("cbv.it.silent", Integer.toString(SILENT.port()));
        System.setProperty("cbv.it.dns", Integer.toString(DNS.port()));
    }

    @RegisterExtension
    static JamesServerExtension james = JamesUnderTest.perClass();

    @BeforeAll
    static void localDomainAndUser() throws Exception {
        server().getProbe(DataProbeImpl.class).fluent()
            .addDomain(LOCAL_DOMAIN)
            .addUser(BOB, BOB_PASSWORD);
    }

    @AfterAll
    static void stopRemotes() {
        LATCHES.values().forEach(CountDownLatch::countDown);
        MX.close();
        SILENT.close();
        DNS.close();
    }

    // ------------------------------------------------------------------ phase mailfrom

    @Test
    void passReachesTheMailAsAttributeWithItsDetail() throws Exception {
        String sender = unique("pass") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.sendMail(sender, BOB, subject));
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-pass");
        assertThat(stored.result()).contains("pass");
        assertThat(stored.detail())
            .containsEntry("result", "pass")
            .containsEntry("stage", "rcpt")
            .containsEntry("code", "250")
            .containsEntry("enhancedCode", "2.1.5")
            .containsEntry("ip", "127.0.0.1")
            .containsEntry("domain", "remote.example")
            .containsEntry("cached", "false")
            .containsKeys("text", "mxHost", "elapsedMs");
        assertThat(probeOf(MX, sender).commands())
            .containsSubsequence("EHLO verifier.cbv.test", "MAIL FROM:<>", "RCPT TO:<" + sender + ">");
    }

    @Test
    void errorReachesTheMail() throws Exception {
        String sender = unique("error") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            // The verdict is only an attribute: James still accepts the mail.
            expect(250, c.sendMail(sender, BOB, subject));
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-error");
        assertThat(stored.detail())
            .containsEntry("stage", "rcpt")
            .containsEntry("code", "550")
            .containsEntry("enhancedCode", "5.1.1");
        assertThat(stored.detail().get("text")).contains("User unknown");
    }

    @Test
    void transientReachesTheMail() throws Exception {
        String sender = unique("transient") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.sendMail(sender, BOB, subject));
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail()).containsEntry("stage", "rcpt").containsEntry("code", "450");
    }

    @Test
    void theCallbackStartsAtMailFromWithoutWaitingForRcpt() throws Exception {
        String sender = unique("held") + "@remote.example";
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            // The hook answered at once (we got the 250) and the probe is already at the remote's RCPT.
            await().atMost(GENEROUS).until(() -> remoteSawRcpt(MX, sender));
            expect(221, c.command("QUIT"));
        } finally {
            latch(sender).countDown();
        }
    }

    @Test
    void theReplyToDataIsHeldUntilTheVerdictComes() throws Exception {
        String sender = unique("held") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(BOB), subject));

            assertThat(c.readWithin(Duration.ofMillis(300))).as("reply to the final dot, while the remote stalls").isEmpty();
            latch(sender).countDown();
            expect(250, c.read());
        }

        assertThat(awaitMail(subject).result()).contains("pass");
    }

    @Test
    void aRemoteThatNeverAnswersGivesTransientAfterMaxWaitAndTheMailIsDelivered() throws Exception {
        String sender = unique("nobody") + "@silent.example";
        String subject = unique("subject");
        long start;
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            expect(354, c.command("DATA"));
            start = System.nanoTime();
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }
        long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(heldMs).as("the reply was held for about maxWait").isBetween(MAX_WAIT.toMillis() - 300, 20_000L);
        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail())
            .containsEntry("stage", "policy")
            .containsEntry("text", "verification still in progress")
            .containsEntry("domain", "silent.example");
        assertThat(SILENT.connectionCount()).isPositive();
    }

    @Test
    void theMapSendsTheCallbackToAnotherDomainFoundInDns() throws Exception {
        String local = unique("pass");
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.sendMail(local + "@alias.example", BOB, subject));
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.result()).contains("pass");
        assertThat(stored.detail()).containsEntry("domain", "target.example");
        assertThat(remoteSawRcpt(MX, local + "@target.example")).isTrue();
    }

    @Test
    void eachTransactionGetsItsOwnVerdictAcrossRsetAndSecondMailFrom() throws Exception {
        String discarded = unique("error") + "@remote.example";
        String first = unique("pass") + "@remote.example";
        String second = unique("transient") + "@remote.example";
        String firstSubject = unique("subject");
        String secondSubject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + discarded + ">"));
            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            expect(250, c.command("RSET"));
            expect(250, c.sendMail(first, BOB, firstSubject));
            expect(250, c.sendMail(second, BOB, secondSubject));
            expect(221, c.command("QUIT"));
        }

        assertThat(awaitMail(firstSubject).repository).isEqualTo("cbv-pass");
        assertThat(awaitMail(secondSubject).repository).isEqualTo("cbv-transient");
    }

    @Test
    void pipelinedCommandsWaitBehindAHeldReplyAndRunInOrder() throws Exception {
        String first = unique("held") + "@remote.example";
        String second = unique("error") + "@remote.example";
        String firstSubject = unique("subject");
        String secondSubject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            c.write("MAIL FROM:<" + first + ">\r\nRCPT TO:<" + BOB + ">\r\nDATA\r\n");
            expect(250, c.read());
            expect(250, c.read());
            expect(354, c.read());
            // The message, and right behind its final dot the next transaction, in one write.
            c.write(SmtpClient.message(first, List.of(BOB), firstSubject)
                + "MAIL FROM:<" + second + ">\r\nRCPT TO:<" + BOB + ">\r\nDATA\r\n");

            assertThat(c.readWithin(Duration.ofMillis(300))).isEmpty();
            latch(first).countDown();
            expect(250, c.read()); // the held reply to the first message
            expect(250, c.read()); // MAIL FROM, replayed after it
            expect(250, c.read()); // RCPT TO
            expect(354, c.read()); // DATA
            c.write(SmtpClient.message(second, List.of(BOB), secondSubject));
            expect(250, c.read());
            expect(221, c.command("QUIT"));
        }

        assertThat(awaitMail(firstSubject).repository).isEqualTo("cbv-pass");
        assertThat(awaitMail(secondSubject).repository).isEqualTo("cbv-error");
    }

    @Test
    void aClientThatHangsUpWhileHeldLeavesNoMailAndJamesCarriesOn() throws Exception {
        String sender = unique("held") + "@remote.example";
        String subject = unique("subject");
        try {
            try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
                expect(250, c.command("MAIL FROM:<" + sender + ">"));
                expect(250, c.command("RCPT TO:<" + BOB + ">"));
                expect(354, c.command("DATA"));
                c.write(SmtpClient.message(sender, List.of(BOB), subject));
                assertThat(c.readWithin(Duration.ofMillis(300))).isEmpty();
            }

            // No reply was given, so the client still owns the message and will send it again:
            // it must not be spooled, not even when maxWait expires while the remote still stalls.
            await().during(MAX_WAIT.plusSeconds(1)).atMost(MAX_WAIT.plusSeconds(10))
                .until(() -> JamesUnderTest.find(server(), subject).isEmpty());
        } finally {
            latch(sender).countDown();
        }
        String next = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.sendMail(unique("pass") + "@remote.example", BOB, next));
        }
        assertThat(awaitMail(next).repository).isEqualTo("cbv-pass");
    }

    @Test
    void theNullSenderGetsNoCallbackAndNoAttribute() throws Exception {
        String subject = unique("subject");
        int before = MX.connectionCount();
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.sendMail("", BOB, subject));
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-none");
        assertThat(stored.result()).isEmpty();
        assertThat(MX.connectionCount()).isEqualTo(before);
    }

    @Test
    void authenticatedSessionsGetNoCallback() throws Exception {
        String sender = unique("pass") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            c.authPlain(BOB, BOB_PASSWORD);
            expect(250, c.sendMail(sender, BOB, subject));
        }

        assertThat(awaitMail(subject).repository).isEqualTo("cbv-none");
        assertNeverCalledBack(sender);
    }

    @Test
    void clientsAllowedToRelayGetNoCallback() throws Exception {
        String sender = unique("pass") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM), "127.0.0.2").greetAndEhlo()) {
            expect(250, c.sendMail(sender, BOB, subject));
        }

        assertThat(awaitMail(subject).repository).isEqualTo("cbv-none");
        assertNeverCalledBack(sender);
    }

    @Test
    void aSenderWeWillNotProbeIsTransientWithItsReason() throws Exception {
        String sender = unique("literal") + "@[127.0.0.1]";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.sendMail(sender, BOB, subject));
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail()).containsEntry("stage", "policy");
        assertThat(stored.detail().get("text")).startsWith("sender address cannot be verified safely");
    }

    // ------------------------------------------------------------------ phase rcptto

    @Test
    void rcptPhaseStartsTheCallbackAtTheFirstLocalRecipientNotBefore() throws Exception {
        String sender = unique("pass") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(RCPTTO)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            assertNeverCalledBack(sender);

            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            await().atMost(GENEROUS).until(() -> remoteSawRcpt(MX, sender));

            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-pass");
        assertThat(probeCount(MX, sender)).isEqualTo(1);
    }

    @Test
    void rcptPhaseStartsNoCallbackForRelayAttempts() throws Exception {
        String sender = unique("pass") + "@remote.example";
        try (SmtpClient c = SmtpClient.connect(port(RCPTTO)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            SmtpClient.Reply relay = c.command("RCPT TO:<someone@elsewhere.example>");
            assertThat(relay.code).as("James refuses to relay: " + relay).isBetween(500, 599);
            expect(250, c.command("RSET"));
            expect(221, c.command("QUIT"));
        }

        assertNeverCalledBack(sender);
    }

    @Test
    void rcptPhaseStartsNoCallbackForUnknownLocalUsers() throws Exception {
        // ValidRcptHandler is listed before our handler: its DENY ends the RCPT hooks before ours runs.
        String sender = unique("pass") + "@remote.example";
        try (SmtpClient c = SmtpClient.connect(port(RCPTTO)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            SmtpClient.Reply unknown = c.command("RCPT TO:<nobody@" + LOCAL_DOMAIN + ">");
            assertThat(unknown.code).as("unknown local user: " + unknown).isBetween(500, 599);
            expect(221, c.command("QUIT"));
        }

        assertNeverCalledBack(sender);
    }

    @Test
    void rcptPhaseGivesEachTransactionItsOwnVerdict() throws Exception {
        String first = unique("error") + "@remote.example";
        String second = unique("pass") + "@remote.example";
        String firstSubject = unique("subject");
        String secondSubject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(RCPTTO)).greetAndEhlo()) {
            expect(250, c.sendMail(first, BOB, firstSubject));
            expect(250, c.sendMail(second, BOB, secondSubject));
        }

        assertThat(awaitMail(firstSubject).repository).isEqualTo("cbv-error");
        assertThat(awaitMail(secondSubject).repository).isEqualTo("cbv-pass");
    }

    @Test
    void aCatchAllSenderDomainIsMarkedAcceptAll() throws Exception {
        String sender = unique("anyone") + "@catchall.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(RCPTTO)).greetAndEhlo()) {
            expect(250, c.sendMail(sender, BOB, subject));
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).as("still a pass").isEqualTo("cbv-pass");
        assertThat(stored.acceptAll()).contains(true);
        assertThat(stored.detail()).containsEntry("acceptAll", "true").containsEntry("postmasterRejected", "false");
        assertThat(probeOf(MX, sender).commands()).containsSubsequence("RCPT TO:<" + sender + ">", "RSET",
            "MAIL FROM:<>", "RCPT TO:<postmaster@catchall.example>");
    }

    @Test
    void aSenderDomainThatChecksItsRecipientsIsNotAcceptAll() throws Exception {
        String sender = unique("pass") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(RCPTTO)).greetAndEhlo()) {
            expect(250, c.sendMail(sender, BOB, subject));
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-pass");
        assertThat(stored.acceptAll()).isEmpty();
        assertThat(stored.detail()).containsEntry("acceptAll", "false").containsEntry("postmasterRejected", "false");
    }

    // ------------------------------------------------------------------ no thread held

    @Test
    void aHeldReplyDoesNotStallOtherConnectionsOnTheSameEventLoop() throws Exception {
        String stuck = unique("stuck") + "@silent.example";
        try (SmtpClient held = SmtpClient.connect(port(ONELOOP)).greetAndEhlo()) {
            expect(250, held.command("MAIL FROM:<" + stuck + ">"));
            expect(250, held.command("RCPT TO:<" + BOB + ">"));
            expect(354, held.command("DATA"));
            held.write(SmtpClient.message(stuck, List.of(BOB), unique("subject")));
            assertThat(held.readWithin(Duration.ofMillis(500))).as("first client held").isEmpty();

            // The server has one event loop and maxWait 30 s: a thread waiting for the first
            // client's verdict would stall this whole transaction for that long.
            long start = System.nanoTime();
            String subject = unique("subject");
            try (SmtpClient other = SmtpClient.connect(port(ONELOOP)).greetAndEhlo()) {
                expect(250, other.sendMail(unique("pass") + "@remote.example", BOB, subject));
                expect(221, other.command("QUIT"));
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(tookMs).as("second transaction while the first is held").isLessThan(10_000);
            assertThat(held.readWithin(Duration.ofMillis(100))).as("first client still held").isEmpty();
            assertThat(awaitMail(subject).repository).isEqualTo("cbv-pass");
        }
    }

    // ------------------------------------------------------------------ issue 4: one callback for many messages

    @Test
    void fiftyMessagesFromOneForgedSenderInParallelMakeOneCallbackAndAllGetTheAttribute() throws Exception {
        String sender = unique("held-forged") + "@remote.example";
        int messages = 50;
        CountDownLatch pastMailFrom = new CountDownLatch(messages);
        CountDownLatch callbackAnswered = new CountDownLatch(1);
        ExecutorService clients = Executors.newFixedThreadPool(messages);
        try {
            List<Future<String>> subjects = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                String subject = unique("forged-" + i);
                subjects.add(clients.submit(() -> {
                    try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
                        expect(250, c.command("MAIL FROM:<" + sender + ">"));
                        pastMailFrom.countDown();
                        // Hold the rest back until the one callback is answered, so that every
                        // message's verdict is in by its final "." (maxWait is short here).
                        callbackAnswered.await(GENEROUS.toSeconds(), TimeUnit.SECONDS);
                        expect(250, c.command("RCPT TO:<" + BOB + ">"));
                        expect(354, c.command("DATA"));
                        c.write(SmtpClient.message(sender, List.of(BOB), subject));
                        expect(250, c.read());
                    }
                    return subject;
                }));
            }
            assertThat(pastMailFrom.await(GENEROUS.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // Every MAIL FROM has started (or joined) the callback, which the MX holds at RCPT TO.
            await().atMost(GENEROUS).until(() -> remoteSawRcpt(MX, sender));
            latch(sender).countDown();
            await().atMost(GENEROUS).until(() -> probeOf(MX, sender).quitReceived());
            callbackAnswered.countDown();

            for (Future<String> subject : subjects) {
                StoredMail stored = awaitMail(subject.get(GENEROUS.toSeconds(), TimeUnit.SECONDS));
                assertThat(stored.result()).contains("pass");
            }
            assertThat(probeCount(MX, sender)).isEqualTo(1);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aSecondMessageFromTheSameSenderIsAnsweredFromTheCache() throws Exception {
        String sender = unique("pass-twice") + "@remote.example";
        String first = unique("first");
        String second = unique("second");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.sendMail(sender, BOB, first));
            expect(250, c.sendMail(sender, BOB, second));
        }
        assertThat(awaitMail(first).detail()).containsEntry("cached", "false").containsEntry("result", "pass");
        assertThat(awaitMail(second).detail()).containsEntry("cached", "true").containsEntry("result", "pass");
        assertThat(probeCount(MX, sender)).isEqualTo(1);
    }

    @Test
    void exemptSenderDomainsAndClientNetworksGetNoCallbackAndNoAttribute() throws Exception {
        String skippedSender = unique("pass") + "@mail.skipped.example";
        String fromSkippedNetwork = unique("pass") + "@remote.example";
        String s1 = unique("skipped-domain");
        String s2 = unique("skipped-network");
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM)).greetAndEhlo()) {
            expect(250, c.sendMail(skippedSender, BOB, s1));
        }
        try (SmtpClient c = SmtpClient.connect(port(MAILFROM), "127.0.0.3").greetAndEhlo()) {
            expect(250, c.sendMail(fromSkippedNetwork, BOB, s2));
        }
        assertThat(awaitMail(s1).result()).isEmpty();
        assertThat(awaitMail(s2).result()).isEmpty();
        assertNeverCalledBack(fromSkippedNetwork);
    }

    // ------------------------------------------------------------------ helpers

    static GuiceJamesServer server() {
        return james.getGuiceJamesServer();
    }

    static int port(String helloName) {
        return server().getProbe(SmtpPortsProbe.class).port(helloName);
    }

    static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    static CountDownLatch latch(String address) {
        return LATCHES.computeIfAbsent(address, a -> new CountDownLatch(1));
    }

    static StoredMail awaitMail(String subject) {
        return await().atMost(GENEROUS).until(() -> JamesUnderTest.find(server(), subject), Optional::isPresent).get();
    }

    static boolean remoteSawRcpt(ScriptedSmtpServer remote, String address) {
        return probeCount(remote, address) > 0;
    }

    /** A callback would reach the loopback MX within milliseconds; a second of silence says none started. */
    static void assertNeverCalledBack(String address) {
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
            .until(() -> !remoteSawRcpt(MX, address));
    }
}
