package io.github.jamescbv.james.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refresh ahead in a real James 3.8.1 (refresh/smtpserver.xml: passRefresh 1s of a passTtl of 1h),
 * seen from outside: a sender whose pass is old gets pass at once, while the remote, holding its
 * answer, sees one callback in the background for all of that sender's mails; the error that
 * callback brings answers the next mail.
 */
class RefreshAheadJamesTest {
    static final String SERVER = "refresh.cbv.test";
    static final String LOCAL_DOMAIN = "local.test";
    static final String BOB = "bob@" + LOCAL_DOMAIN;
    static final Duration PASS_REFRESH = Duration.ofSeconds(1);
    static final Duration GENEROUS = Duration.ofSeconds(30);
    static final UniqueNames NAMES = new UniqueNames();

    /** What the MX answers to RCPT TO now. */
    static final AtomicReference<Response> RCPT_ANSWER = new AtomicReference<>(Response.of("250 2.1.5 Ok"));

    @TempDir
    static Path workingDirectory;
    static ScriptedSmtpServer mx;
    static TestDnsServer dns;
    static GuiceJamesServer james;
    static final RunningJames JAMES = new RunningJames(() -> james);

    @BeforeAll
    static void start() throws Exception {
        mx = ScriptedSmtpServer.start(SmtpScript.standard().on("RCPT", line -> RCPT_ANSWER.get()));
        dns = new TestDnsServer().start();
        System.setProperty("cbv.it.refresh.mx", Integer.toString(mx.port()));
        System.setProperty("cbv.it.refresh.dns", Integer.toString(dns.port()));
        james = JamesUnderTest.started(workingDirectory, "refresh/smtpserver.xml", BOB, "bob-secret");
    }

    @AfterAll
    static void stop() {
        try {
            if (james != null) {
                james.stop();
            }
        } finally {
            if (mx != null) {
                mx.close();
            }
            if (dns != null) {
                dns.close();
            }
            System.clearProperty("cbv.it.refresh.mx");
            System.clearProperty("cbv.it.refresh.dns");
        }
    }

    @Test
    void anOldPassAnswersAtOnceWhileOneBackgroundCallbackRenewsItAndItsErrorAnswersTheNextMail() throws Exception {
        String sender = NAMES.unique("regular") + "@remote.example";
        StoredMail first = mail(sender);
        assertThat(first.detail()).containsEntry("result", "pass").containsEntry("cached", "false");
        assertThat(callbacks(sender)).isEqualTo(1);

        // The mailbox is gone meanwhile, and the remote takes its time to say so.
        CountDownLatch remoteAnswers = new CountDownLatch(1);
        RCPT_ANSWER.set(Response.of("550 5.1.1 <" + sender + ">: Recipient address rejected: User unknown")
            .awaiting(remoteAnswers));
        Thread.sleep(PASS_REFRESH.toMillis() + 200); // the pass grows old: real time in a real James

        List<StoredMail> whileRenewing = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                whileRenewing.add(mail(sender));
            }
            await().atMost(GENEROUS).until(() -> callbacks(sender) == 2);
            whileRenewing.add(mail(sender));
            assertThat(remoteAnswers.getCount()).as("every mail answered while the remote still held its answer").isOne();
        } finally {
            remoteAnswers.countDown();
        }
        for (StoredMail m : whileRenewing) {
            assertThat(m.repository).isEqualTo("cbv-pass");
            assertThat(m.detail()).containsEntry("result", "pass").containsEntry("cached", "true")
                .containsEntry("refreshing", "true");
        }

        // Once the renewal's error is remembered, it answers.
        StoredMail after = await().atMost(GENEROUS).pollInterval(Duration.ofMillis(200))
            .until(() -> mail(sender), m -> m.result().orElse("").equals("error"));
        assertThat(after.repository).isEqualTo("cbv-error");
        assertThat(after.detail()).containsEntry("cached", "true").containsEntry("code", "550").doesNotContainKey("refreshing");
        assertThat(callbacks(sender)).as("one callback for the first mail, one renewal for all the others").isEqualTo(2);
    }

    /** One mail from {@code sender}, as stored with its verdict. */
    private static StoredMail mail(String sender) throws Exception {
        String subject = NAMES.unique("subject");
        JAMES.deliver(SERVER, sender, BOB, subject);
        return JAMES.awaitMail(subject);
    }

    /** Callbacks the MX received for {@code address}: connections that sent RCPT TO it. */
    private static long callbacks(String address) {
        return mx.connections().stream().filter(c -> c.commands().contains("RCPT TO:<" + address + ">")).count();
    }
}
