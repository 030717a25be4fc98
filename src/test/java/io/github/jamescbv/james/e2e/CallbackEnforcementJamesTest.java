package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static io.github.jamescbv.james.e2e.JamesUnderTest.probeCount;
import static io.github.jamescbv.james.e2e.JamesUnderTest.probeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.github.jamescbv.james.CallbackVerifyHandler;
import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.utils.DataProbeImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * SMTP-time enforcement in a real James 3.8.1, seen by an SMTP client: the 550 / 450 codes, the
 * RCPT reply held for the verdict, its bound, the cache serving a retry. Four servers of
 * smtpserver.xml: {@code reject} (phase mailfrom), {@code defer} (phase rcptto), {@code warn}
 * (phase mailfrom), and {@code strict} (reject, rejectOnPolicyError, its own rejectMessage, phase
 * rcptto, one event loop and rcptMaxWait 30 s); the others have rcptMaxWait 2 s.
 *
 * <p>The scripted MX answers RCPT TO by the local part of the address: {@code error*} 550 5.1.1,
 * {@code transient*} 450 4.2.0, {@code held*} 250 and {@code slowerror*} 550 5.1.1 once the test
 * releases that address's latch, anything else 250. Senders {@code @silent.example} are called
 * back at a server that never says a word; {@code @policy.example} at one that refuses our probe
 * at MAIL FROM with 550 5.7.1.
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

    static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();
    static final AtomicInteger COUNTER = new AtomicInteger();
    static final List<String> LOG = new CopyOnWriteArrayList<>();

    // Started before James (static fields initialise in order), which reads their ports from system properties.
    static final ScriptedSmtpServer MX = ScriptedSmtpServer.start(SmtpScript.standard().on("RCPT", line -> {
        String address = SmtpScript.pathOf(line);
        String local = address.substring(0, Math.max(0, address.indexOf('@')));
        String unknown = "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown";
        if (local.startsWith("error")) {
            return Response.of(unknown);
        }
        if (local.startsWith("transient")) {
            return Response.of("450 4.2.0 <" + address + ">: Recipient address rejected: Greylisted");
        }
        if (local.startsWith("held")) {
            return Response.of("250 2.1.5 Ok").awaiting(latch(address));
        }
        if (local.startsWith("slowerror")) {
            return Response.of(unknown).awaiting(latch(address));
        }
        return Response.of("250 2.1.5 Ok");
    }));
    // smtpserver.xml maps policy.example to 127.0.0.4 on the MX's port: no property of its own needed.
    static final ScriptedSmtpServer POLICY = ScriptedSmtpServer.start("127.0.0.4", MX.port(),
        SmtpScript.standard().on("MAIL", "550 5.7.1 Client host [127.0.0.1] blocked using bl.example"));
    static final ScriptedSmtpServer SILENT = ScriptedSmtpServer.start(SmtpScript.standard().greeting(Response.silence()));
    static final TestDnsServer DNS = new TestDnsServer().start();

    static {
        System.setProperty("cbv.it.mx", Integer.toString(MX.port()));
        System.setProperty("cbv.it.silent", Integer.toString(SILENT.port()));
        System.setProperty("cbv.it.dns", Integer.toString(DNS.port()));
    }

    @RegisterExtension
    static JamesServerExtension james = JamesUnderTest.perClass();

    static final AppenderBase<ILoggingEvent> LOG_CAPTURE = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            LOG.add(event.getFormattedMessage());
        }
    };

    @BeforeAll
    static void localDomainUsersAndLogCapture() throws Exception {
        server().getProbe(DataProbeImpl.class).fluent()
            .addDomain(LOCAL_DOMAIN)
            .addUser(BOB, "bob-secret")
            .addUser(ALICE, "alice-secret")
            .addUser(POSTMASTER, "postmaster-secret");
        LOG_CAPTURE.start();
        ((Logger) LoggerFactory.getLogger(CallbackVerifyHandler.class)).addAppender(LOG_CAPTURE);
    }

    @AfterAll
    static void stopRemotes() {
        ((Logger) LoggerFactory.getLogger(CallbackVerifyHandler.class)).detachAppender(LOG_CAPTURE);
        LATCHES.values().forEach(CountDownLatch::countDown);
        MX.close();
        POLICY.close();
        SILENT.close();
        DNS.close();
    }

    // ------------------------------------------------------------------ action reject

    @Test
    void rejectRefusesAnErrorSenderAtRcptWithTheSenderCodeTheStageAndTheRemoteAnswer() throws Exception {
        String sender = unique("error") + "@remote.example";
        try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
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
        String pass = unique("pass") + "@remote.example";
        String greylisted = unique("transient") + "@remote.example";
        String passSubject = unique("subject");
        String transientSubject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
            expect(250, c.sendMail(pass, BOB, passSubject));
            expect(250, c.sendMail(greylisted, BOB, transientSubject));
        }

        assertThat(awaitMail(passSubject).repository).isEqualTo("cbv-pass");
        StoredMail stored = awaitMail(transientSubject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail()).containsEntry("code", "450");
    }

    @Test
    void theRcptReplyIsHeldUntilTheVerdictComes() throws Exception {
        String sender = unique("slowerror") + "@remote.example";
        try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            c.send("RCPT TO:<" + BOB + ">");

            assertThat(c.readWithin(Duration.ofMillis(300))).as("reply to RCPT TO while the remote stalls").isEmpty();
            latch(sender).countDown();
            assertThat(expect(550, c.read()).text()).startsWith("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1");
            expect(221, c.command("QUIT"));
        }
    }

    @Test
    void rejectLetsTheMailThroughWithTransientWhenTheVerdictIsNotInByRcptMaxWait() throws Exception {
        String sender = unique("nobody") + "@silent.example";
        String subject = unique("subject");
        long heldMs;
        try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            long start = System.nanoTime();
            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }

        assertThat(heldMs).as("the RCPT reply was held for about rcptMaxWait").isBetween(RCPT_MAX_WAIT.toMillis() - 300, 20_000L);
        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-transient");
        assertThat(stored.detail()).containsEntry("text", "verification still in progress");
    }

    @Test
    void laterRecipientsOfTheTransactionGetTheSameAnswerWithoutASecondWait() throws Exception {
        String sender = unique("slowerror") + "@remote.example";
        try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            c.send("RCPT TO:<" + BOB + ">");
            assertThat(c.readWithin(Duration.ofMillis(300))).isEmpty();
            latch(sender).countDown();
            SmtpClient.Reply first = expect(550, c.read());

            long start = System.nanoTime();
            SmtpClient.Reply second = expect(550, c.command("RCPT TO:<" + ALICE + ">"));
            long secondMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(second.text()).isEqualTo(first.text());
            assertThat(secondMs).isLessThan(1_000);
            expect(221, c.command("QUIT"));
        }
        assertThat(probeCount(MX, sender)).isEqualTo(1);
    }

    @Test
    void pipelinedCommandsBehindAHeldRcptAreAnsweredInOrder() throws Exception {
        String sender = unique("slowerror") + "@remote.example";
        String next = unique("pass") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
            c.write("MAIL FROM:<" + sender + ">\r\nRCPT TO:<" + BOB + ">\r\nNOOP\r\nRCPT TO:<" + ALICE + ">\r\nDATA\r\nRSET\r\n");
            expect(250, c.read()); // MAIL FROM
            assertThat(c.readWithin(Duration.ofMillis(300))).as("RCPT TO held, and everything behind it").isEmpty();

            latch(sender).countDown();
            assertThat(expect(550, c.read()).text()).startsWith("550 5.1.7"); // RCPT TO bob, held
            expect(250, c.read());                                               // NOOP
            assertThat(expect(550, c.read()).text()).startsWith("550 5.1.7"); // RCPT TO alice, same answer
            expect(503, c.read());                                               // DATA: no recipient
            expect(250, c.read());                                               // RSET
            // A new transaction starts afresh.
            expect(250, c.sendMail(next, BOB, subject));
        }
        assertThat(awaitMail(subject).repository).isEqualTo("cbv-pass");
    }

    @Test
    void aPolicyRejectionOfUsIsNotEnforcedByDefaultAndTheDetailSaysWhy() throws Exception {
        String sender = unique("someone") + "@policy.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
            expect(250, c.sendMail(sender, BOB, subject));
        }

        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-error");
        assertThat(stored.detail())
            .containsEntry("stage", "mail")
            .containsEntry("code", "550")
            .containsEntry("enhancedCode", "5.7.1")
            .containsEntry("policyRejection", "true");
    }

    @Test
    void thePostmasterStaysReachableForARejectedSender() throws Exception {
        String sender = unique("error") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            expect(550, c.command("RCPT TO:<" + BOB + ">"));
            expect(250, c.command("RCPT TO:<" + POSTMASTER + ">"));
            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(POSTMASTER), subject));
            expect(250, c.read());
        }
        StoredMail stored = awaitMail(subject);
        assertThat(stored.repository).isEqualTo("cbv-error");
        assertThat(stored.mail.getRecipients()).extracting(Object::toString).containsExactly(POSTMASTER);
    }

    @Test
    void aClientThatHangsUpWhileItsRcptIsHeldLeavesJamesWorking() throws Exception {
        String sender = unique("slowerror") + "@remote.example";
        try {
            try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
                expect(250, c.command("MAIL FROM:<" + sender + ">"));
                c.send("RCPT TO:<" + BOB + ">");
                assertThat(c.readWithin(Duration.ofMillis(300))).isEmpty();
            }
        } finally {
            latch(sender).countDown();
        }
        // The verdict comes after the client left: nothing to answer, nobody to answer to.
        await().atMost(GENEROUS).until(() -> probeOf(MX, sender).quitReceived());
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(REJECT)).greetAndEhlo()) {
            expect(250, c.sendMail(unique("pass") + "@remote.example", BOB, subject));
        }
        assertThat(awaitMail(subject).repository).isEqualTo("cbv-pass");
    }

    // ------------------------------------------------------------------ action defer, phase rcptto

    @Test
    void deferAnswers450ForTransientAnd550ForErrorWithSenderCodes() throws Exception {
        String greylisted = unique("transient") + "@remote.example";
        String unknown = unique("error") + "@remote.example";
        try (SmtpClient c = SmtpClient.connect(port(DEFER)).greetAndEhlo()) {
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
        String sender = unique("held") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(DEFER)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            c.send("RCPT TO:<" + BOB + ">");
            await().atMost(GENEROUS).until(() -> probeCount(MX, sender) > 0);
            assertThat(c.readWithin(Duration.ofMillis(300))).as("the RCPT that started the callback is held").isEmpty();

            latch(sender).countDown();
            expect(250, c.read());
            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }
        assertThat(awaitMail(subject).repository).isEqualTo("cbv-pass");
    }

    @Test
    void deferAnswersInProgressAfterRcptMaxWaitAndTheRetryIsServedFromTheCache() throws Exception {
        String sender = unique("slowerror") + "@remote.example";
        try (SmtpClient c = SmtpClient.connect(port(DEFER)).greetAndEhlo()) {
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
        latch(sender).countDown();
        await().atMost(GENEROUS).until(() -> probeOf(MX, sender).quitReceived());

        try (SmtpClient c = SmtpClient.connect(port(DEFER)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            long start = System.nanoTime();
            SmtpClient.Reply retry = expect(550, c.command("RCPT TO:<" + BOB + ">"));
            long retryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            expect(221, c.command("QUIT"));

            assertThat(retry.text()).startsWith("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1");
            assertThat(retryMs).isLessThan(1_000);
        }
        assertThat(probeCount(MX, sender)).as("the retry made no second callback").isEqualTo(1);
    }

    // ------------------------------------------------------------------ action warn

    @Test
    void warnRefusesNothingHoldsNothingAndLogsWhatRejectWouldHaveAnswered() throws Exception {
        String sender = unique("slowerror") + "@remote.example";
        String subject = unique("subject");
        try (SmtpClient c = SmtpClient.connect(port(WARN)).greetAndEhlo()) {
            expect(250, c.command("MAIL FROM:<" + sender + ">"));
            long start = System.nanoTime();
            expect(250, c.command("RCPT TO:<" + BOB + ">"));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("not held").isLessThan(1_000);

            latch(sender).countDown();
            await().atMost(GENEROUS).until(() -> LOG.stream().anyMatch(l -> l.startsWith("would reject") && l.contains(sender)
                && l.contains("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1")));
            expect(354, c.command("DATA"));
            c.write(SmtpClient.message(sender, List.of(BOB), subject));
            expect(250, c.read());
        }
        assertThat(awaitMail(subject).repository).isEqualTo("cbv-error");
    }

    // ------------------------------------------------------------------ strict: rejectOnPolicyError, rejectMessage

    @Test
    void rejectOnPolicyErrorRefusesAPolicyRejectionAndRejectMessageReplacesOurText() throws Exception {
        String blocked = unique("someone") + "@policy.example";
        String unknown = unique("error") + "@remote.example";
        try (SmtpClient c = SmtpClient.connect(port(STRICT)).greetAndEhlo()) {
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
        String stuck = unique("stuck") + "@silent.example";
        try (SmtpClient held = SmtpClient.connect(port(STRICT)).greetAndEhlo()) {
            expect(250, held.command("MAIL FROM:<" + stuck + ">"));
            held.send("RCPT TO:<" + BOB + ">");
            assertThat(held.readWithin(Duration.ofMillis(500))).as("first client held").isEmpty();

            // One event loop and rcptMaxWait 30 s: a thread waiting for the first client's verdict
            // would stall this whole transaction for that long.
            long start = System.nanoTime();
            String subject = unique("subject");
            try (SmtpClient other = SmtpClient.connect(port(STRICT)).greetAndEhlo()) {
                expect(250, other.sendMail(unique("pass") + "@remote.example", BOB, subject));
                expect(221, other.command("QUIT"));
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(tookMs).as("second transaction while the first RCPT is held").isLessThan(10_000);
            assertThat(held.readWithin(Duration.ofMillis(100))).as("first client still held").isEmpty();
            assertThat(awaitMail(subject).repository).isEqualTo("cbv-pass");
        }
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
}
