package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.james.CallbackVerifyHandler;
import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.TestDnsServer;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.james.JamesServerExtension;
import org.apache.james.utils.DataProbeImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The handler in a real James 3.8.1, loaded from smtpserver.xml, against scripted remote MXs
 * ({@link CallbackRemotes}: the MX answers RCPT TO by the local part of the address, the silent
 * MX never says a word; catch-all checks are answered at {@code catchall.example} only).
 * One James for the whole class (three SMTP servers: phase mailfrom, phase rcptto, and one
 * with a single event loop), because booting James takes seconds.
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

    static final UniqueNames NAMES = new UniqueNames();
    // Before James, which reads their ports from system properties.
    static final CallbackRemotes REMOTES = CallbackRemotes.start(new TestDnsServer()
        .mx("target.example", 10, "mx.target.example")
        .a("mx.target.example", "127.0.0.1"));

    @RegisterExtension
    static JamesServerExtension extension = JamesUnderTest.perClass();
    static final RunningJames JAMES = new RunningJames(extension);

    @BeforeAll
    static void localDomainAndUser() throws Exception {
        JAMES.server().getProbe(DataProbeImpl.class).fluent()
            .addDomain(LOCAL_DOMAIN)
            .addUser(BOB, BOB_PASSWORD);
    }

    @AfterAll
    static void stopRemotes() {
        REMOTES.close();
    }

    // ------------------------------------------------------------------ phase mailfrom

    @Test
    void passReachesTheMailAsAttributeWithItsDetail() throws Exception {
        String sender = NAMES.unique("pass") + "@remote.example";
        String subject = NAMES.unique("subject");
        StoredMail stored;
        try (LoggedLines log = new LoggedLines(CallbackVerifyHandler.class)) {
            log.attach();
            JAMES.deliver(MAILFROM, sender, BOB, subject);
            stored = JAMES.awaitMail(subject);
            // The INFO line says how the callback was asked, as the detail does.
            String tls = stored.detail().get("tls");
            await().atMost(GENEROUS).until(() -> log.anyMatch(l -> l.startsWith("callback verification sender=" + sender)
                && l.contains(" result=pass ") && l.contains(" tls=\"" + tls + "\" ")));
        }
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
        assertThat(stored.detail().get("tls")).matches("TLSv1\\.[23] TLS_\\w+");
        assertThat(REMOTES.probeOf(sender).commandsInTls())
            .containsSubsequence("EHLO verifier.cbv.test", "MAIL FROM:<>", "RCPT TO:<" + sender + ">");
    }

    @Test
    void errorReachesTheMail() throws Exception {
        String sender = NAMES.unique("error") + "@remote.example";
        String subject = NAMES.unique("subject");
        // The verdict is only an attribute: James still accepts the mail.
        JAMES.deliver(MAILFROM, sender, BOB, subject);

        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-error");
        assertThat(stored.detail())
            .containsEntry("stage", "rcpt")
            .containsEntry("code", "550")
            .containsEntry("enhancedCode", "5.1.1");
        assertThat(stored.detail().get("text")).contains("User unknown");
    }

    @Test
    void transientReachesTheMail() throws Exception {
        String sender = NAMES.unique("transient") + "@remote.example";
        String subject = NAMES.unique("subject");
        JAMES.deliver(MAILFROM, sender, BOB, subject);

        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail()).containsEntry("stage", "rcpt").containsEntry("code", "450");
    }

    @Test
    void theCallbackStartsAtMailFromWithoutWaitingForRcpt() throws Exception {
        String sender = NAMES.unique("held") + "@remote.example";
        try (SmtpClient c = JAMES.connect(MAILFROM)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            // The hook answered at once (we got the 250) and the probe is already at the remote's RCPT.
            await().atMost(GENEROUS).until(() -> REMOTES.sawRcpt(sender));
            expect(221, c.command("QUIT"));
        } finally {
            REMOTES.release(sender);
        }
    }

    @Test
    void theReplyToDataIsHeldUntilTheVerdictComes() throws Exception {
        String sender = NAMES.unique("held") + "@remote.example";
        String subject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(MAILFROM)) {
            c.openData(sender, BOB);
            c.write(SmtpClient.message(sender, List.of(BOB), subject));

            assertThat(c.readWithin(Duration.ofMillis(300))).as("reply to the final dot, while the remote stalls").isEmpty();
            REMOTES.release(sender);
            expect(250, c.read());
        }

        assertThat(JAMES.awaitMail(subject).result()).contains("pass");
    }

    @Test
    void aRemoteThatNeverAnswersGivesTransientAfterMaxWaitAndTheMailIsDelivered() throws Exception {
        String sender = NAMES.unique("nobody") + "@silent.example";
        String subject = NAMES.unique("subject");
        long start;
        try (SmtpClient c = JAMES.connect(MAILFROM)) {
            c.openData(sender, BOB);
            start = System.nanoTime();
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }
        long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(heldMs).as("the reply was held for about maxWait").isBetween(MAX_WAIT.toMillis() - 300, 20_000L);
        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail())
            .containsEntry("stage", "policy")
            .containsEntry("text", "verification still in progress")
            .containsEntry("domain", "silent.example");
        assertThat(REMOTES.silent.connectionCount()).isPositive();
    }

    @Test
    void theMapSendsTheCallbackToAnotherDomainFoundInDns() throws Exception {
        String local = NAMES.unique("pass");
        String subject = NAMES.unique("subject");
        JAMES.deliver(MAILFROM, local + "@alias.example", BOB, subject);

        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.result()).contains("pass");
        assertThat(stored.detail()).containsEntry("domain", "target.example");
        assertThat(REMOTES.sawRcpt(local + "@target.example")).isTrue();
    }

    @Test
    void eachTransactionGetsItsOwnVerdictAcrossRsetAndSecondMailFrom() throws Exception {
        String discarded = NAMES.unique("error") + "@remote.example";
        String first = NAMES.unique("pass") + "@remote.example";
        String second = NAMES.unique("transient") + "@remote.example";
        String firstSubject = NAMES.unique("subject");
        String secondSubject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(MAILFROM)) {
            expect(250, c.command("MAIL FROM:<" + discarded + ">"));
            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            expect(250, c.command("RSET"));
            expect(250, c.sendMail(first, BOB, firstSubject));
            expect(250, c.sendMail(second, BOB, secondSubject));
            expect(221, c.command("QUIT"));
        }

        assertThat(JAMES.awaitMail(firstSubject).repository).isEqualTo("cbv-pass");
        assertThat(JAMES.awaitMail(secondSubject).repository).isEqualTo("cbv-transient");
    }

    @Test
    void pipelinedCommandsWaitBehindAHeldReplyAndRunInOrder() throws Exception {
        String first = NAMES.unique("held") + "@remote.example";
        String second = NAMES.unique("error") + "@remote.example";
        String firstSubject = NAMES.unique("subject");
        String secondSubject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(MAILFROM)) {
            c.write("MAIL FROM:<" + first + ">\r\nRCPT TO:<" + BOB + ">\r\nDATA\r\n");
            expect(250, c.read());
            expect(250, c.read());
            expect(354, c.read());
            // The message, and right behind its final dot the next transaction, in one write.
            c.write(SmtpClient.message(first, List.of(BOB), firstSubject)
                + "MAIL FROM:<" + second + ">\r\nRCPT TO:<" + BOB + ">\r\nDATA\r\n");

            assertThat(c.readWithin(Duration.ofMillis(300))).isEmpty();
            REMOTES.release(first);
            expect(250, c.read()); // the held reply to the first message
            expect(250, c.read()); // MAIL FROM, replayed after it
            expect(250, c.read()); // RCPT TO
            expect(354, c.read()); // DATA
            c.write(SmtpClient.message(second, List.of(BOB), secondSubject));
            expect(250, c.read());
            expect(221, c.command("QUIT"));
        }

        assertThat(JAMES.awaitMail(firstSubject).repository).isEqualTo("cbv-pass");
        assertThat(JAMES.awaitMail(secondSubject).repository).isEqualTo("cbv-error");
    }

    @Test
    void aClientThatHangsUpWhileHeldLeavesNoMailAndJamesCarriesOn() throws Exception {
        String sender = NAMES.unique("held") + "@remote.example";
        String subject = NAMES.unique("subject");
        try {
            try (SmtpClient c = JAMES.connect(MAILFROM)) {
                c.openData(sender, BOB);
                c.write(SmtpClient.message(sender, List.of(BOB), subject));
                assertThat(c.readWithin(Duration.ofMillis(300))).isEmpty();
            }

            // No reply was given, so the client still owns the message and will send it again:
            // it must not be spooled, not even when maxWait expires while the remote still stalls.
            await().during(MAX_WAIT.plusSeconds(1)).atMost(MAX_WAIT.plusSeconds(10))
                .until(() -> JAMES.find(subject).isEmpty());
        } finally {
            REMOTES.release(sender);
        }
        String next = NAMES.unique("subject");
        JAMES.deliver(MAILFROM, NAMES.unique("pass") + "@remote.example", BOB, next);
        assertThat(JAMES.awaitMail(next).repository).isEqualTo("cbv-pass");
    }

    @Test
    void theNullSenderGetsNoCallbackAndNoAttribute() throws Exception {
        String subject = NAMES.unique("subject");
        int before = REMOTES.mx.connectionCount();
        JAMES.deliver(MAILFROM, "", BOB, subject);

        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-none");
        assertThat(stored.result()).isEmpty();
        assertThat(REMOTES.mx.connectionCount()).isEqualTo(before);
    }

    @Test
    void authenticatedSessionsGetNoCallback() throws Exception {
        String sender = NAMES.unique("pass") + "@remote.example";
        String subject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(MAILFROM)) {
            c.authPlain(BOB, BOB_PASSWORD);
            expect(250, c.sendMail(sender, BOB, subject));
        }

        assertThat(JAMES.awaitMail(subject).repository).isEqualTo("cbv-none");
        assertNeverCalledBack(sender);
    }

    @Test
    void clientsAllowedToRelayGetNoCallback() throws Exception {
        String sender = NAMES.unique("pass") + "@remote.example";
        String subject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(MAILFROM, "127.0.0.2")) {
            expect(250, c.sendMail(sender, BOB, subject));
        }

        assertThat(JAMES.awaitMail(subject).repository).isEqualTo("cbv-none");
        assertNeverCalledBack(sender);
    }

    @Test
    void aSenderWeWillNotProbeIsTransientWithItsReason() throws Exception {
        String sender = NAMES.unique("literal") + "@[127.0.0.1]";
        String subject = NAMES.unique("subject");
        JAMES.deliver(MAILFROM, sender, BOB, subject);

        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail()).containsEntry("stage", "policy");
        assertThat(stored.detail().get("text")).startsWith("sender address cannot be verified safely");
    }

    // ------------------------------------------------------------------ phase rcptto

    @Test
    void rcptPhaseStartsTheCallbackAtTheFirstLocalRecipientNotBefore() throws Exception {
        String sender = NAMES.unique("pass") + "@remote.example";
        String subject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(RCPTTO)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            assertNeverCalledBack(sender);

            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            await().atMost(GENEROUS).until(() -> REMOTES.sawRcpt(sender));

            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }

        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-pass");
        assertThat(REMOTES.probeCount(sender)).isEqualTo(1);
    }

    @Test
    void rcptPhaseStartsNoCallbackForRelayAttempts() throws Exception {
        String sender = NAMES.unique("pass") + "@remote.example";
        try (SmtpClient c = JAMES.connect(RCPTTO)) {
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
        String sender = NAMES.unique("pass") + "@remote.example";
        try (SmtpClient c = JAMES.connect(RCPTTO)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            SmtpClient.Reply unknown = c.command("RCPT TO:<nobody@" + LOCAL_DOMAIN + ">");
            assertThat(unknown.code).as("unknown local user: " + unknown).isBetween(500, 599);
            expect(221, c.command("QUIT"));
        }

        assertNeverCalledBack(sender);
    }

    @Test
    void rcptPhaseGivesEachTransactionItsOwnVerdict() throws Exception {
        String first = NAMES.unique("error") + "@remote.example";
        String second = NAMES.unique("pass") + "@remote.example";
        String firstSubject = NAMES.unique("subject");
        String secondSubject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(RCPTTO)) {
            expect(250, c.sendMail(first, BOB, firstSubject));
            expect(250, c.sendMail(second, BOB, secondSubject));
        }

        assertThat(JAMES.awaitMail(firstSubject).repository).isEqualTo("cbv-error");
        assertThat(JAMES.awaitMail(secondSubject).repository).isEqualTo("cbv-pass");
    }

    @Test
    void aCatchAllSenderDomainIsMarkedAcceptAll() throws Exception {
        String sender = NAMES.unique("anyone") + "@catchall.example";
        String subject = NAMES.unique("subject");
        JAMES.deliver(RCPTTO, sender, BOB, subject);

        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).as("still a pass").isEqualTo("cbv-pass");
        assertThat(stored.acceptAll()).contains(true);
        assertThat(stored.detail()).containsEntry("acceptAll", "true").containsEntry("postmasterRejected", "false");
        assertThat(REMOTES.probeOf(sender).commands()).containsSubsequence("RCPT TO:<" + sender + ">", "RSET",
            "MAIL FROM:<>", "RCPT TO:<postmaster@catchall.example>");
    }

    @Test
    void aSenderDomainThatChecksItsRecipientsIsNotAcceptAll() throws Exception {
        String sender = NAMES.unique("pass") + "@remote.example";
        String subject = NAMES.unique("subject");
        JAMES.deliver(RCPTTO, sender, BOB, subject);

        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-pass");
        assertThat(stored.acceptAll()).isEmpty();
        assertThat(stored.detail()).containsEntry("acceptAll", "false").containsEntry("postmasterRejected", "false");
    }

    // ------------------------------------------------------------------ no thread held

    @Test
    void aHeldReplyDoesNotStallOtherConnectionsOnTheSameEventLoop() throws Exception {
        String stuck = NAMES.unique("stuck") + "@silent.example";
        try (SmtpClient held = JAMES.connect(ONELOOP)) {
            held.openData(stuck, BOB);
            held.write(SmtpClient.message(stuck, List.of(BOB), NAMES.unique("subject")));
            assertThat(held.readWithin(Duration.ofMillis(500))).as("first client held").isEmpty();

            // The server has one event loop and maxWait 30 s: a thread waiting for the first
            // client's verdict would stall this whole transaction for that long.
            EventLoopCheck.assertAnotherTransactionIsServed(JAMES, ONELOOP, held,
                NAMES.unique("pass") + "@remote.example", BOB, NAMES.unique("subject"));
        }
    }

    // ------------------------------------------------------------------ issue 4: one callback for many messages

    @Test
    void fiftyMessagesFromOneForgedSenderInParallelMakeOneCallbackAndAllGetTheAttribute() throws Exception {
        String sender = NAMES.unique("held-forged") + "@remote.example";
        List<Callable<SmtpClient>> connections = Collections.nCopies(50, () -> JAMES.connect(MAILFROM));
        try (MailFromBurst burst = MailFromBurst.start(sender, BOB, connections, NAMES, GENEROUS)) {
            // Every MAIL FROM has started (or joined) the callback, which the MX holds at RCPT TO.
            await().atMost(GENEROUS).until(() -> REMOTES.sawRcpt(sender));
            REMOTES.release(sender);
            await().atMost(GENEROUS).until(() -> REMOTES.probeOf(sender).quitReceived());

            assertThat(JAMES.awaitMails(burst.finish())).allSatisfy(stored -> assertThat(stored.result()).contains("pass"));
            assertThat(REMOTES.probeCount(sender)).isEqualTo(1);
        }
    }

    @Test
    void aSecondMessageFromTheSameSenderIsAnsweredFromTheCache() throws Exception {
        String sender = NAMES.unique("pass-twice") + "@remote.example";
        String first = NAMES.unique("first");
        String second = NAMES.unique("second");
        try (SmtpClient c = JAMES.connect(MAILFROM)) {
            expect(250, c.sendMail(sender, BOB, first));
            expect(250, c.sendMail(sender, BOB, second));
        }
        assertThat(JAMES.awaitMail(first).detail()).containsEntry("cached", "false").containsEntry("result", "pass");
        assertThat(JAMES.awaitMail(second).detail()).containsEntry("cached", "true").containsEntry("result", "pass");
        assertThat(REMOTES.probeCount(sender)).isEqualTo(1);
    }

    @Test
    void exemptSenderDomainsAndClientNetworksGetNoCallbackAndNoAttribute() throws Exception {
        String skippedSender = NAMES.unique("pass") + "@mail.skipped.example";
        String fromSkippedNetwork = NAMES.unique("pass") + "@remote.example";
        String s1 = NAMES.unique("skipped-domain");
        String s2 = NAMES.unique("skipped-network");
        JAMES.deliver(MAILFROM, skippedSender, BOB, s1);
        try (SmtpClient c = JAMES.connect(MAILFROM, "127.0.0.3")) {
            expect(250, c.sendMail(fromSkippedNetwork, BOB, s2));
        }
        assertThat(JAMES.awaitMail(s1).result()).isEmpty();
        assertThat(JAMES.awaitMail(s2).result()).isEmpty();
        assertNeverCalledBack(fromSkippedNetwork);
    }

    // ------------------------------------------------------------------ helpers

    /** A callback would reach the loopback MX within milliseconds; a second of silence says none started. */
    static void assertNeverCalledBack(String address) {
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
            .until(() -> !REMOTES.sawRcpt(address));
    }
}
