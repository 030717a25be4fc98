package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.Stage;
import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.ScriptedSmtpServer.Arrival;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestProbeRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Pipelining (RFC 2920) against scripted servers that take a while to answer each command: when
 * the server announces PIPELINING, MAIL FROM and RCPT TO (and a follow-up's RSET) arrive in one
 * read, before any of their replies, and the replies decide exactly as one at a time would;
 * without the announcement, or with the route's switch off, one command per reply.
 */
class NettyProbeClientPipeliningTest extends ProbeAgainstScriptedServers {
    private static final String USER = "user@example.com";
    private static final String RANDOM = "cbv-0123456789abcdef@example.com";
    private static final String POSTMASTER = "postmaster@example.com";
    /** Long enough that a client waiting for MAIL's reply could not have sent RCPT in MAIL's read. */
    private static final Duration PER_REPLY = Duration.ofMillis(50);
    private static final String EHLO_WITHOUT_PIPELINING = "250-scripted.test greets you\n250 8BITMIME";

    private final List<String> dialog = new CopyOnWriteArrayList<>();

    /** A server that waits {@link #PER_REPLY} before each reply, else as {@link SmtpScript#standard()}. */
    private static SmtpScript slow() {
        return SmtpScript.standard().delayEachReply(PER_REPLY);
    }

    private ProbeOutcome probe(ScriptedSmtpServer mx) throws Exception {
        return run(TestProbeRequest.to(mx).listener(dialog::add).build());
    }

    private static void assertReplied(ProbeOutcome o, Stage stage, int code) {
        assertThat(o.failure()).as("failure of %s", o).isEmpty();
        assertThat(o.stage()).as("stage of %s", o).isEqualTo(stage);
        assertThat(o.reply()).as("reply of %s", o).get().extracting(SmtpReply::code).isEqualTo(code);
    }

    /** {@code later} came in the same read as {@code first}, before any reply to it. */
    private static void assertSentTogether(ScriptedSmtpServer.Connection c, String first, String later) {
        Arrival a = c.arrivalOf(first);
        Arrival b = c.arrivalOf(later);
        assertThat(b.read).as("%s in the read of %s (%s)", later, first, c.arrivals()).isEqualTo(a.read);
        assertThat(b.repliesBefore).isEqualTo(a.repliesBefore);
    }

    /** {@code later} came only after the reply to {@code first}. */
    private static void assertSentAfterTheReply(ScriptedSmtpServer.Connection c, String first, String later) {
        Arrival a = c.arrivalOf(first);
        Arrival b = c.arrivalOf(later);
        assertThat(b.read).as("%s after %s (%s)", later, first, c.arrivals()).isGreaterThan(a.read);
        assertThat(b.repliesBefore).as("%s after the reply to %s (%s)", later, first, c.arrivals())
            .isGreaterThan(a.repliesBefore);
    }

    private static List<FollowUpReply> followUps(ProbeOutcome o) throws Exception {
        return o.followUps().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    // ---- the replies decide as before ----

    @Test
    void mailAndRcptGoTogetherAndBothRepliesAreReadInOrder() throws Exception {
        ScriptedSmtpServer mx = server(slow());

        ProbeOutcome o = probe(mx);

        assertReplied(o, Stage.RCPT, 250);
        awaitAllClosed(mx);
        ScriptedSmtpServer.Connection c = mx.lastConnection();
        assertThat(c.commands()).containsExactly("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<" + USER + ">", "QUIT");
        assertSentTogether(c, "MAIL", "RCPT");
        assertThat(c.arrivalOf("MAIL").repliesBefore).as("after the greeting and EHLO only").isEqualTo(2);
        assertSentAfterTheReply(c, "RCPT", "QUIT");
        assertThat(dialog).containsSubsequence("-> EHLO probe.test", "<- 250 8BITMIME",
            "-> MAIL FROM:<>", "-> RCPT TO:<" + USER + ">", "<- 250 2.1.0 Ok", "<- 250 2.1.5 Ok", "-> QUIT",
            "<- 221 2.0.0 Bye", "closed");
    }

    @Test
    void aRejectedRecipientIsAnErrorAtRcpt() throws Exception {
        ScriptedSmtpServer mx = server(slow().rcpt(SmtpScript.knownUsers("alice@example.com")));

        ProbeOutcome o = probe(mx);

        assertReplied(o, Stage.RCPT, 550);
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL", "RCPT", "QUIT");
        assertSentTogether(mx.lastConnection(), "MAIL", "RCPT");
    }

    @Test
    void aRefusedSenderStillDecidesAtMailAndRcptsReplyIsReadBeforeQuit() throws Exception {
        ScriptedSmtpServer mx = server(slow().on("MAIL", "550 5.7.1 no bounces accepted"));

        ProbeOutcome o = probe(mx);

        assertReplied(o, Stage.MAIL, 550);
        awaitAllClosed(mx);
        ScriptedSmtpServer.Connection c = mx.lastConnection();
        assertThat(c.verbs()).containsExactly("EHLO", "MAIL", "RCPT", "QUIT");
        assertThat(c.quitReceived()).isTrue();
        assertSentTogether(c, "MAIL", "RCPT");
        assertThat(c.arrivalOf("QUIT").repliesBefore).as("QUIT after RCPT's reply").isEqualTo(4);
        assertThat(dialog).containsSubsequence("<- 550 5.7.1 no bounces accepted", "<- 250 2.1.5 Ok", "-> QUIT",
            "<- 221 2.0.0 Bye");
        assertThat(dialog).noneMatch(l -> l.startsWith("timeout"));
    }

    @Test
    void a421ToMailClosesAtOnceWithoutWaitingForRcptOrSayingQuit() throws Exception {
        ScriptedSmtpServer mx = server(slow().on("MAIL", "421 4.3.2 shutting down"));

        ProbeOutcome o = probe(mx);

        assertReplied(o, Stage.MAIL, 421);
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().quitReceived()).isFalse();
        assertThat(dialog).doesNotContain("-> QUIT");
    }

    @Test
    void garbageForTheSecondReplyIsAProtocolErrorAtRcpt() throws Exception {
        ScriptedSmtpServer mx = server(slow().on("RCPT", Response.raw("hello there\r\n")));

        ProbeOutcome o = probe(mx);

        assertThat(o.failure()).as("failure of %s", o).contains(Failure.PROTOCOL);
        assertThat(o.stage()).isEqualTo(Stage.RCPT);
        awaitAllClosed(mx);
        assertSentTogether(mx.lastConnection(), "MAIL", "RCPT");
    }

    @Test
    void rcptsReplyIsBoundedByTheReplyTimeoutAtStageRcpt() throws Exception {
        ScriptedSmtpServer mx = server(slow().on("RCPT", Response.silence()));

        ProbeOutcome o = run(TestProbeRequest.to(mx).commandTimeout(Duration.ofMillis(500)).build());

        assertThat(o.failure()).as("failure of %s", o).contains(Failure.TIMEOUT);
        assertThat(o.stage()).isEqualTo(Stage.RCPT);
        assertThat(o.detail()).isEqualTo("no reply within 500ms");
        awaitAllClosed(mx);
    }

    // ---- when not ----

    @Test
    void neverPipelinedToAServerThatDoesNotAnnounceIt() throws Exception {
        ScriptedSmtpServer mx = server(slow().on("EHLO", EHLO_WITHOUT_PIPELINING));

        ProbeOutcome o = probe(mx);

        assertReplied(o, Stage.RCPT, 250);
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL", "RCPT", "QUIT");
        assertSentAfterTheReply(mx.lastConnection(), "MAIL", "RCPT");
        assertThat(dialog).containsSubsequence("-> MAIL FROM:<>", "<- 250 2.1.0 Ok", "-> RCPT TO:<" + USER + ">");
    }

    @Test
    void neverPipelinedWhenTheRouteSaysNo() throws Exception {
        ScriptedSmtpServer mx = server(slow().on("MAIL", "550 5.7.1 no bounces accepted"));

        ProbeOutcome o = run(TestProbeRequest.to(mx).pipelining(false).build());

        assertReplied(o, Stage.MAIL, 550);
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL", "QUIT");
    }

    @Test
    void neverPipelinedToAServerThatOnlySpeaksHelo() throws Exception {
        ScriptedSmtpServer mx = server(slow().on("EHLO", "502 5.5.1 EHLO not implemented"));

        ProbeOutcome o = probe(mx);

        assertReplied(o, Stage.RCPT, 250);
        awaitAllClosed(mx);
        assertSentAfterTheReply(mx.lastConnection(), "MAIL", "RCPT");
    }

    // ---- TLS: the capabilities inside it count ----

    /** EHLO before TLS announces STARTTLS and {@code clearExtra}, EHLO inside TLS {@code tlsExtra}. */
    private static SmtpScript tlsChangingCapabilities(String clearExtra, String tlsExtra) {
        AtomicInteger ehlos = new AtomicInteger();
        return slow().offeringStartTls().on("EHLO", line -> ehlos.incrementAndGet() == 1
            ? Response.of("250-scripted.test greets you\n250-STARTTLS\n" + clearExtra + "250 8BITMIME")
            : Response.of("250-scripted.test greets you\n" + tlsExtra + "250 8BITMIME"));
    }

    @Test
    void pipelinedInsideTlsWhenEhloInsideTlsAnnouncesIt() throws Exception {
        ScriptedSmtpServer mx = server(tlsChangingCapabilities("", "250-PIPELINING\n"));

        ProbeOutcome o = run(TestProbeRequest.to(mx).tls(TlsPolicy.ENCRYPT).build());

        assertReplied(o, Stage.RCPT, 250);
        assertThat(o.tls()).startsWith("TLS");
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().commandsInTls()).containsExactly("EHLO probe.test", "MAIL FROM:<>",
            "RCPT TO:<" + USER + ">", "QUIT");
        assertSentTogether(mx.lastConnection(), "MAIL", "RCPT");
    }

    @Test
    void notPipelinedInsideTlsWhenOnlyTheClearTextEhloAnnouncedIt() throws Exception {
        ScriptedSmtpServer mx = server(tlsChangingCapabilities("250-PIPELINING\n", ""));

        ProbeOutcome o = run(TestProbeRequest.to(mx).tls(TlsPolicy.ENCRYPT).build());

        assertReplied(o, Stage.RCPT, 250);
        awaitAllClosed(mx);
        assertSentAfterTheReply(mx.lastConnection(), "MAIL", "RCPT");
    }

    // ---- follow-ups: RSET, MAIL FROM and RCPT TO as one group ----

    @Test
    void eachFollowUpIsOneGroupFromRsetToRcpt() throws Exception {
        ScriptedSmtpServer mx = server(slow().rcpt(SmtpScript.knownUsers(USER, POSTMASTER)));

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(RANDOM, POSTMASTER).build());

        assertReplied(o, Stage.RCPT, 250);
        List<FollowUpReply> replies = followUps(o);
        assertThat(replies).extracting(r -> r.reply().map(SmtpReply::code).orElse(0)).containsExactly(550, 250);
        awaitAllClosed(mx);
        ScriptedSmtpServer.Connection c = mx.lastConnection();
        assertThat(c.commands()).containsExactly("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<" + USER + ">",
            "RSET", "MAIL FROM:<>", "RCPT TO:<" + RANDOM + ">",
            "RSET", "MAIL FROM:<>", "RCPT TO:<" + POSTMASTER + ">", "QUIT");
        List<Arrival> a = c.arrivals();
        assertThat(a.get(3).read).as("first follow-up in one read: %s", a).isEqualTo(a.get(5).read);
        assertThat(a.get(4).read).isEqualTo(a.get(3).read);
        assertThat(a.get(6).read).as("second follow-up in one read: %s", a).isEqualTo(a.get(8).read);
        assertThat(a.get(6).read).as("after the replies to the first").isGreaterThan(a.get(5).read);
    }

    @Test
    void aRefusedRsetGivesTheFollowUpsUpAndTheRestOfItsGroupIsReadBeforeQuit() throws Exception {
        ScriptedSmtpServer mx = server(slow().on("RSET", "502 5.5.1 RSET not implemented"));

        ProbeOutcome o = run(TestProbeRequest.to(mx).listener(dialog::add).followUps(RANDOM, POSTMASTER).build());

        assertReplied(o, Stage.RCPT, 250);
        List<FollowUpReply> replies = followUps(o);
        assertThat(replies).allSatisfy(r -> assertThat(r.failure()).contains("reply to RSET: 502 5.5.1 RSET not implemented"));
        awaitAllClosed(mx);
        ScriptedSmtpServer.Connection c = mx.lastConnection();
        assertThat(c.verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "QUIT");
        assertThat(c.quitReceived()).isTrue();
        assertThat(dialog).containsSubsequence("<- 502 5.5.1 RSET not implemented", "<- 250 2.1.0 Ok",
            "<- 250 2.1.5 Ok", "-> QUIT", "<- 221 2.0.0 Bye");
        assertThat(dialog).noneMatch(l -> l.startsWith("timeout"));
    }

    @Test
    void aServerThatGoesSilentAfterARefusalInTheGroupIsLeftAfterABoundedWait() throws Exception {
        ScriptedSmtpServer mx = server(slow().on("MAIL", "550 5.7.1 no bounces accepted")
            .on("RCPT", Response.silence()));

        ProbeOutcome o = run(TestProbeRequest.to(mx).listener(dialog::add).commandTimeout(Duration.ofMillis(500))
            .build());

        assertReplied(o, Stage.MAIL, 550);
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().quitReceived()).isFalse();
        await().atMost(WAIT).until(() -> dialog.contains("closed"));
        assertThat(dialog).contains("timeout: no reply to RCPT within 500ms");
    }
}
