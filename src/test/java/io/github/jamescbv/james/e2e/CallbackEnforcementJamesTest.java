package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.james.CallbackVerifyHandler;
import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.james.JamesServerExtension;
import org.apache.james.utils.DataProbeImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SMTP-time enforcement in a real James 3.8.1, seen by an SMTP client: the 550 / 450 codes, the
 * RCPT reply held for the verdict, its bound, the cache serving a retry. Four servers of
 * smtpserver.xml: {@code reject} (phase mailfrom), {@code defer} (phase rcptto), {@code warn}
 * (phase mailfrom), and {@code strict} (reject, rejectOnPolicyError, its own rejectMessage, phase
 * rcptto, one event loop and rcptMaxWait 30 s); the others have rcptMaxWait 2 s.
 *
 * <p>The remotes are {@link CallbackRemotes}: the MX answers RCPT TO by the local part of the
 * address, senders {@code @silent.example} are called back at a server that never says a word.
 * Senders {@code @policy.example} are called back at one that refuses our probe at MAIL FROM
 * with 550 5.7.1.
 */
class CallbackEnforcementJamesTest {
    static final String REJECT = "reject.cbv.test";
    static final String DEFER = "defer.cbv.test";
    static final String WARN = "warn.cbv.test";
    static final String STRICT = "strict.cbv.test";
    static final String LOCAL_DOMAIN = "local.test";
    static final String BOB = "bob@" + LOCAL_DOMAIN;
    static final String ALICE = "alice@" + LOCAL_DOMAIN;
    static final String POSTMASTER = "postmaster@" + LOCAL_DOMAIN;
    static final Duration RCPT_MAX_WAIT = Duration.ofSeconds(2); // of reject, defer and warn
    static final Duration GENEROUS = Duration.ofSeconds(30);
    static final String STRICT_MESSAGE = "Your sender address could not be verified; contact postmaster@local.test";
    static final String IN_PROGRESS = "450 4.7.1 Sender address verification in progress, try again later";

    static final UniqueNames NAMES = new UniqueNames();
    static final LoggedLines HANDLER_LOG = new LoggedLines(CallbackVerifyHandler.class);
    // Before James, which reads their ports from system properties.
    static final CallbackRemotes REMOTES = CallbackRemotes.start(new TestDnsServer());
    // smtpserver.xml maps policy.example to 127.0.0.4 on the MX's port: no property of its own needed.
    static final ScriptedSmtpServer POLICY = ScriptedSmtpServer.start("127.0.0.4", REMOTES.mx.port(),
        SmtpScript.standard().on("MAIL", "550 5.7.1 Client host [127.0.0.1] blocked using bl.example"));

    @RegisterExtension
    static JamesServerExtension extension = JamesUnderTest.perClass();
    static final RunningJames JAMES = new RunningJames(extension);

    @BeforeAll
    static void localDomainUsersAndLogCapture() throws Exception {
        JAMES.server().getProbe(DataProbeImpl.class).fluent()
            .addDomain(LOCAL_DOMAIN)
            .addUser(BOB, "bob-secret")
            .addUser(ALICE, "alice-secret")
            .addUser(POSTMASTER, "postmaster-secret");
        HANDLER_LOG.attach();
    }

    @AfterAll
    static void stopRemotes() {
        HANDLER_LOG.close();
        REMOTES.close();
        POLICY.close();
    }

    // ------------------------------------------------------------------ action reject

    @Test
    void rejectRefusesAnErrorSenderAtRcptWithTheSenderCodeTheStageAndTheRemoteAnswer() throws Exception {
        String sender = NAMES.unique("error") + "@remote.example";
        try (SmtpClient c = JAMES.connect(REJECT)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            SmtpClient.Reply rcpt = expect(550, c.command("RCPT TO:<" + BOB + ">"));
            assertThat(rcpt.text()).startsWith("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1 <" + sender
                + ">: Recipient address rejected: User unknown");
            expect(503, c.command("DATA")); // no recipient

            expect(250, c.command("RSET"));
            expect(221, c.command("QUIT"));
        }
    }

    @Test
    void rejectAcceptsPassAndLetsTransientThroughAsAnAttribute() throws Exception {
        String pass = NAMES.unique("pass") + "@remote.example";
        String greylisted = NAMES.unique("transient") + "@remote.example";
        String passSubject = NAMES.unique("subject");
        String transientSubject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(REJECT)) {
            expect(250, c.sendMail(pass, BOB, passSubject));
            expect(250, c.sendMail(greylisted, BOB, transientSubject));
        }

        assertThat(JAMES.awaitMail(passSubject).repository).isEqualTo("cbv-pass");
        StoredMail stored = JAMES.awaitMail(transientSubject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail()).containsEntry("code", "450");
    }

    @Test
    void theRcptReplyIsHeldUntilTheVerdictComes() throws Exception {
        String sender = NAMES.unique("slowerror") + "@remote.example";
        try (SmtpClient c = JAMES.connect(REJECT)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            c.send("RCPT TO:<" + BOB + ">");

            assertThat(c.readWithin(Duration.ofMillis(300))).as("reply to RCPT TO while the remote stalls").isEmpty();
            REMOTES.release(sender);
            assertThat(expect(550, c.read()).text()).startsWith("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1");
            expect(221, c.command("QUIT"));
        }
    }

    @Test
    void rejectLetsTheMailThroughWithTransientWhenTheVerdictIsNotInByRcptMaxWait() throws Exception {
        String sender = NAMES.unique("nobody") + "@silent.example";
        String subject = NAMES.unique("subject");
        long heldMs;
        try (SmtpClient c = JAMES.connect(REJECT)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            long start = System.nanoTime();
            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }

        assertThat(heldMs).as("the RCPT reply was held for about rcptMaxWait").isBetween(RCPT_MAX_WAIT.toMillis() - 300, 20_000L);
        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail()).containsEntry("text", "verification still in progress");
    }

    @Test
    void laterRecipientsOfTheTransactionGetTheSameAnswerWithoutASecondWait() throws Exception {
        String sender = NAMES.unique("slowerror") + "@remote.example";
        try (SmtpClient c = JAMES.connect(REJECT)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            c.send("RCPT TO:<" + BOB + ">");
            assertThat(c.readWithin(Duration.ofMillis(300))).isEmpty();
            REMOTES.release(sender);
            SmtpClient.Reply first = expect(550, c.read());

            long start = System.nanoTime();
            SmtpClient.Reply second = expect(550, c.command("RCPT TO:<" + ALICE + ">"));
            long secondMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(second.text()).isEqualTo(first.text());
            assertThat(secondMs).isLessThan(1_000);
            expect(221, c.command("QUIT"));
        }
        assertThat(REMOTES.probeCount(sender)).isEqualTo(1);
    }

    @Test
    void pipelinedCommandsBehindAHeldRcptAreAnsweredInOrder() throws Exception {
        String sender = NAMES.unique("slowerror") + "@remote.example";
        String next = NAMES.unique("pass") + "@remote.example";
        String subject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(REJECT)) {
            c.write("MAIL FROM:<" + sender + ">\r\nRCPT TO:<" + BOB + ">\r\nNOOP\r\nRCPT TO:<" + ALICE + ">\r\nDATA\r\nRSET\r\n");
            expect(250, c.read()); // MAIL FROM
            assertThat(c.readWithin(Duration.ofMillis(300))).as("RCPT TO held, and everything behind it").isEmpty();

            REMOTES.release(sender);
            assertThat(expect(550, c.read()).text()).startsWith("550 5.1.7"); // RCPT TO bob, held
            expect(250, c.read());                                               // NOOP
            assertThat(expect(550, c.read()).text()).startsWith("550 5.1.7"); // RCPT TO alice, same answer
            expect(503, c.read());                                               // DATA: no recipient
            expect(250, c.read());                                               // RSET
            // A new transaction starts afresh.
            expect(250, c.sendMail(next, BOB, subject));
        }
        assertThat(JAMES.awaitMail(subject).repository).isEqualTo("cbv-pass");
    }

    @Test
    void aPolicyRejectionOfUsIsNotEnforcedByDefaultAndTheDetailSaysWhy() throws Exception {
        String sender = NAMES.unique("someone") + "@policy.example";
        String subject = NAMES.unique("subject");
        JAMES.deliver(REJECT, sender, BOB, subject);

        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-error");
        assertThat(stored.detail())
            .containsEntry("stage", "mail")
            .containsEntry("code", "550")
            .containsEntry("enhancedCode", "5.7.1")
            .containsEntry("policyRejection", "true");
    }

    @Test
    void thePostmasterStaysReachableForARejectedSender() throws Exception {
        String sender = NAMES.unique("error") + "@remote.example";
        String subject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(REJECT)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            expect(550, c.command("RCPT TO:<" + BOB + ">"));
            expect(250, c.command("RCPT TO:<" + POSTMASTER + ">"));
            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(POSTMASTER), subject));
            expect(250, c.read());
        }
        StoredMail stored = JAMES.awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-error");
        assertThat(stored.mail.getRecipients()).extracting(Object::toString).containsExactly(POSTMASTER);
    }

    @Test
    void aClientThatHangsUpWhileItsRcptIsHeldLeavesJamesWorking() throws Exception {
        String sender = NAMES.unique("slowerror") + "@remote.example";
        try {
            try (SmtpClient c = JAMES.connect(REJECT)) {
                expect(250, c.command("MAIL FROM:<" + sender + ">"));
                c.send("RCPT TO:<" + BOB + ">");
                assertThat(c.readWithin(Duration.ofMillis(300))).isEmpty();
            }
        } finally {
            REMOTES.release(sender);
        }
        // The verdict comes after the client left: nothing to answer, nobody to answer to.
        await().atMost(GENEROUS).until(() -> REMOTES.probeOf(sender).quitReceived());
        String subject = NAMES.unique("subject");
        JAMES.deliver(REJECT, NAMES.unique("pass") + "@remote.example", BOB, subject);
        assertThat(JAMES.awaitMail(subject).repository).isEqualTo("cbv-pass");
    }

    // ------------------------------------------------------------------ action defer, phase rcptto

    @Test
    void deferAnswers450ForTransientAnd550ForErrorWithSenderCodes() throws Exception {
        String greylisted = NAMES.unique("transient") + "@remote.example";
        String unknown = NAMES.unique("error") + "@remote.example";
        try (SmtpClient c = JAMES.connect(DEFER)) {
            expect(250, c.command("MAIL FROM:<" + greylisted + ">"));
            assertThat(expect(450, c.command("RCPT TO:<" + BOB + ">")).text())
                .startsWith("450 4.1.7 Sender address rejected: callback at RCPT TO: 450 4.2.0")
                .contains("Greylisted");
            expect(250, c.command("RSET"));
            expect(250, c.command("MAIL FROM:<" + unknown + ">"));
            assertThat(expect(550, c.command("RCPT TO:<" + BOB + ">")).text())
                .startsWith("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1");
            expect(221, c.command("QUIT"));
        }
    }

    @Test
    void rcptPhaseStartsTheCallbackAtTheFirstLocalRecipientAndHoldsThatSameRcpt() throws Exception {
        String sender = NAMES.unique("held") + "@remote.example";
        String subject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(DEFER)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            c.send("RCPT TO:<" + BOB + ">");
            await().atMost(GENEROUS).until(() -> REMOTES.sawRcpt(sender));
            assertThat(c.readWithin(Duration.ofMillis(300))).as("the RCPT that started the callback is held").isEmpty();

            REMOTES.release(sender);
            expect(250, c.read());
            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }
        assertThat(JAMES.awaitMail(subject).repository).isEqualTo("cbv-pass");
    }

    @Test
    void deferAnswersInProgressAfterRcptMaxWaitAndTheRetryIsServedFromTheCache() throws Exception {
        String sender = NAMES.unique("slowerror") + "@remote.example";
        try (SmtpClient c = JAMES.connect(DEFER)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            long start = System.nanoTime();
            SmtpClient.Reply first = expect(450, c.command("RCPT TO:<" + BOB + ">"));
            long firstMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            start = System.nanoTime();
            SmtpClient.Reply second = expect(450, c.command("RCPT TO:<" + ALICE + ">"));
            long secondMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            expect(221, c.command("QUIT"));

            assertThat(first.text()).isEqualTo(IN_PROGRESS);
            assertThat(firstMs).as("held for rcptMaxWait").isBetween(RCPT_MAX_WAIT.toMillis() - 300, 20_000L);
            assertThat(second.text()).isEqualTo(IN_PROGRESS);
            assertThat(secondMs).as("no second wait").isLessThan(1_000);
        }

        // The callback goes on in the background; its verdict lands in the cache.
        REMOTES.release(sender);
        await().atMost(GENEROUS).until(() -> REMOTES.probeOf(sender).quitReceived());

        try (SmtpClient c = JAMES.connect(DEFER)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            long start = System.nanoTime();
            SmtpClient.Reply retry = expect(550, c.command("RCPT TO:<" + BOB + ">"));
            long retryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            expect(221, c.command("QUIT"));

            assertThat(retry.text()).startsWith("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1");
            assertThat(retryMs).isLessThan(1_000);
        }
        assertThat(REMOTES.probeCount(sender)).as("the retry made no second callback").isEqualTo(1);
    }

    // ------------------------------------------------------------------ action warn

    @Test
    void warnRefusesNothingHoldsNothingAndLogsWhatRejectWouldHaveAnswered() throws Exception {
        String sender = NAMES.unique("slowerror") + "@remote.example";
        String subject = NAMES.unique("subject");
        try (SmtpClient c = JAMES.connect(WARN)) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            long start = System.nanoTime();
            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("not held").isLessThan(1_000);

            REMOTES.release(sender);
            await().atMost(GENEROUS).until(() -> HANDLER_LOG.anyMatch(l -> l.startsWith("would reject") && l.contains(sender)
                && l.contains("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1")));
            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }
        assertThat(JAMES.awaitMail(subject).repository).isEqualTo("cbv-error");
    }

    // ------------------------------------------------------------------ strict: rejectOnPolicyError, rejectMessage

    @Test
    void rejectOnPolicyErrorRefusesAPolicyRejectionAndRejectMessageReplacesOurText() throws Exception {
        String blocked = NAMES.unique("someone") + "@policy.example";
        String unknown = NAMES.unique("error") + "@remote.example";
        try (SmtpClient c = JAMES.connect(STRICT)) {
            expect(250, c.command("MAIL FROM:<" + blocked + ">"));
            assertThat(c.command("RCPT TO:<" + BOB + ">").text()).isEqualTo("550 5.1.7 " + STRICT_MESSAGE);
            expect(250, c.command("RSET"));
            expect(250, c.command("MAIL FROM:<" + unknown + ">"));
            assertThat(c.command("RCPT TO:<" + BOB + ">").text()).isEqualTo("550 5.1.7 " + STRICT_MESSAGE);
            expect(221, c.command("QUIT"));
        }
    }

    @Test
    void aHeldRcptDoesNotStallOtherConnectionsOnTheSameEventLoop() throws Exception {
        String stuck = NAMES.unique("stuck") + "@silent.example";
        try (SmtpClient held = JAMES.connect(STRICT)) {
            expect(250, held.command("MAIL FROM:<" + stuck + ">"));
            held.send("RCPT TO:<" + BOB + ">");
            assertThat(held.readWithin(Duration.ofMillis(500))).as("first client held").isEmpty();

            // One event loop and rcptMaxWait 30 s: a thread waiting for the first client's verdict
            // would stall this whole transaction for that long.
            EventLoopCheck.assertAnotherTransactionIsServed(JAMES, STRICT, held,
                NAMES.unique("pass") + "@remote.example", BOB, NAMES.unique("subject"));
        }
    }
}
