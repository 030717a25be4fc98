package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.Stage;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestProbeRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Follow-up recipients (the engine's random and postmaster checks) against scripted servers:
 * one more transaction each after the address was accepted, a second connection when the
 * server drops the first, and failures that leave the follow-ups unanswered but never touch
 * the outcome.
 */
class NettyProbeClientFollowUpTest extends ProbeAgainstScriptedServers {
    private static final String USER = "user@example.com";
    private static final String RANDOM = "cbv-0123456789abcdef@example.com";
    private static final String POSTMASTER = "postmaster@example.com";

    private static List<FollowUpReply> followUps(ProbeOutcome o) throws Exception {
        return o.followUps().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void assertAccepted(ProbeOutcome o) {
        assertThat(o.failure()).as("failure of %s", o).isEmpty();
        assertThat(o.stage()).isEqualTo(Stage.RCPT);
        assertThat(o.reply()).get().extracting(SmtpReply::code).isEqualTo(250);
    }

    private static void assertReply(FollowUpReply r, String recipient, int code) {
        assertThat(r.recipient().toString()).isEqualTo(recipient);
        assertThat(r.reply()).as("reply of %s", r).get().extracting(SmtpReply::code).isEqualTo(code);
        assertThat(r.failure()).isEmpty();
    }

    private static void assertUnanswered(FollowUpReply r, String recipient, String why) {
        assertThat(r.recipient().toString()).isEqualTo(recipient);
        assertThat(r.reply()).as("reply of %s", r).isEmpty();
        assertThat(r.failure()).contains(why);
    }

    /** RCPT TO answered by address; the rest as {@link SmtpScript#standard()}. */
    private static SmtpScript rcpt(Function<String, Response> byAddress) {
        return SmtpScript.standard().on("RCPT", line -> byAddress.apply(SmtpScript.pathOf(line)));
    }

    private static Response userOrElse(String address, Response otherwise) {
        return USER.equals(address) ? Response.of("250 2.1.5 Ok") : otherwise;
    }

    // ---- one connection ----

    @Test
    void anAcceptAllServerAcceptsEveryFollowUpEachInItsOwnTransaction() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(RANDOM, POSTMASTER).build());

        assertAccepted(o);
        List<FollowUpReply> replies = followUps(o);
        assertThat(replies).hasSize(2);
        assertReply(replies.get(0), RANDOM, 250);
        assertReply(replies.get(1), POSTMASTER, 250);
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(1);
        assertThat(mx.lastConnection().commands()).containsExactly(
            "EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<" + USER + ">",
            "RSET", "MAIL FROM:<>", "RCPT TO:<" + RANDOM + ">",
            "RSET", "MAIL FROM:<>", "RCPT TO:<" + POSTMASTER + ">",
            "QUIT");
    }

    @Test
    void aNormalServerRejectsTheRandomAddressAndAcceptsPostmaster() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().rcpt(SmtpScript.knownUsers(USER, POSTMASTER)));

        ProbeOutcome o = run(TestProbeRequest.to(mx).mailFrom("verify@probe.test").followUps(RANDOM, POSTMASTER).build());

        assertAccepted(o);
        List<FollowUpReply> replies = followUps(o);
        assertReply(replies.get(0), RANDOM, 550);
        assertThat(replies.get(0).reply().get().enhancedCode()).isEqualTo("5.1.1");
        assertReply(replies.get(1), POSTMASTER, 250);
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(1);
        assertThat(mx.lastConnection().commands())
            .containsSubsequence("RSET", "MAIL FROM:<verify@probe.test>", "RCPT TO:<" + RANDOM + ">")
            .endsWith("QUIT");
    }

    @Test
    void aRejectedPostmasterIsReportedAsItsReply() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().rcpt(SmtpScript.knownUsers(USER)));

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(POSTMASTER).build());

        assertAccepted(o);
        List<FollowUpReply> replies = followUps(o);
        assertThat(replies).hasSize(1);
        assertReply(replies.get(0), POSTMASTER, 550);
        awaitAllClosed(mx);
    }

    @Test
    void aRejectedAddressAsksNoFollowUp() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().rcpt(SmtpScript.knownUsers("someone-else@example.com")));

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(RANDOM, POSTMASTER).build());

        assertThat(o.reply()).get().extracting(SmtpReply::code).isEqualTo(550);
        assertThat(followUps(o)).isEmpty();
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL", "RCPT", "QUIT");
    }

    @Test
    void theOutcomeDoesNotWaitForTheFollowUps() throws Exception {
        CountDownLatch answerRandom = new CountDownLatch(1);
        ScriptedSmtpServer mx = server(rcpt(a -> userOrElse(a, Response.of("550 5.1.1 unknown").awaiting(answerRandom))));

        CompletableFuture<ProbeOutcome> outcome = client.probe(TestProbeRequest.to(mx).followUps(RANDOM).build())
            .toCompletableFuture();

        // The server holds the reply to the random RCPT: the outcome must be there before it.
        ProbeOutcome o = outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertAccepted(o);
        await().atMost(WAIT).until(() -> mx.lastConnection().commands().contains("RCPT TO:<" + RANDOM + ">"));
        assertThat(o.followUps().toCompletableFuture().isDone()).as("follow-up still waiting for its reply").isFalse();
        assertThat(client.probesInFlight()).as("the probe is still tracked for its follow-ups").isEqualTo(1);

        answerRandom.countDown();
        assertReply(followUps(o).get(0), RANDOM, 550);
        awaitAllClosed(mx);
    }

    @Test
    void aFollowUpTimingOutLeavesTheRestUnansweredOnOneConnectionAndTheOutcomeIntact() throws Exception {
        ScriptedSmtpServer mx = server(rcpt(a -> userOrElse(a, Response.silence())));

        ProbeOutcome o = run(TestProbeRequest.to(mx).commandTimeout(Duration.ofSeconds(1))
            .followUps(RANDOM, POSTMASTER).build());

        assertAccepted(o);
        List<FollowUpReply> replies = followUps(o);
        assertUnanswered(replies.get(0), RANDOM, "no reply within 1s");
        assertUnanswered(replies.get(1), POSTMASTER, "no reply within 1s");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).as("a server that stalls is not asked again").isEqualTo(1);
    }

    @Test
    void theDeadlineBoundsTheFollowUps() throws Exception {
        ScriptedSmtpServer mx = server(rcpt(a -> userOrElse(a, Response.silence())));

        ProbeOutcome o = run(TestProbeRequest.to(mx).commandTimeout(Duration.ofSeconds(60)).total(Duration.ofSeconds(2))
            .followUps(RANDOM).build());

        assertAccepted(o);
        assertUnanswered(followUps(o).get(0), RANDOM, "total timeout reached");
        awaitAllClosed(mx);
    }

    @Test
    void aRefusedRsetGivesTheFollowUpsUp() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("RSET", "502 5.5.1 RSET not implemented"));

        // One command at a time: nothing follows the refused RSET (NettyProbeClientPipeliningTest has it pipelined).
        ProbeOutcome o = run(TestProbeRequest.to(mx).pipelining(false).followUps(RANDOM, POSTMASTER).build());

        assertAccepted(o);
        List<FollowUpReply> replies = followUps(o);
        assertUnanswered(replies.get(0), RANDOM, "reply to RSET: 502 5.5.1 RSET not implemented");
        assertUnanswered(replies.get(1), POSTMASTER, "reply to RSET: 502");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(1);
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "QUIT");
    }

    @Test
    void aTransientReplyToAFollowUpIsJustItsReply() throws Exception {
        ScriptedSmtpServer mx = server(rcpt(a -> userOrElse(a, Response.of("450 4.7.1 try again later"))));

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(RANDOM, POSTMASTER).build());

        List<FollowUpReply> replies = followUps(o);
        assertReply(replies.get(0), RANDOM, 450);
        assertReply(replies.get(1), POSTMASTER, 450);
        awaitAllClosed(mx);
    }

    // ---- the second connection ----

    @Test
    void aServerThatDropsAfterARejectionIsAskedTheRestOnASecondConnection() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("RCPT", line -> {
            String a = SmtpScript.pathOf(line);
            return a.equals(RANDOM) ? Response.of("550 5.1.1 no such user").thenClose() : Response.of("250 2.1.5 Ok");
        }));

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(RANDOM, POSTMASTER).build());

        assertAccepted(o);
        List<FollowUpReply> replies = followUps(o);
        assertReply(replies.get(0), RANDOM, 550);
        assertReply(replies.get(1), POSTMASTER, 250);
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(2);
        assertThat(mx.connection(0).commands()).endsWith("RCPT TO:<" + RANDOM + ">");
        assertThat(mx.connection(1).commands())
            .containsExactly("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<" + POSTMASTER + ">", "QUIT");
    }

    @Test
    void aServerThatDropsAfterRsetIsAskedEveryFollowUpOnASecondConnection() throws Exception {
        AtomicInteger rsets = new AtomicInteger();
        ScriptedSmtpServer mx = server(SmtpScript.standard().rcpt(SmtpScript.knownUsers(USER, POSTMASTER))
            .on("RSET", line -> rsets.getAndIncrement() == 0 ? Response.close() : Response.of("250 2.0.0 Ok")));

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(RANDOM, POSTMASTER).build());

        assertAccepted(o);
        List<FollowUpReply> replies = followUps(o);
        assertReply(replies.get(0), RANDOM, 550);
        assertReply(replies.get(1), POSTMASTER, 250);
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(2);
        assertThat(mx.connection(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET");
        assertThat(mx.connection(1).commands()).containsExactly("EHLO probe.test", "MAIL FROM:<>",
            "RCPT TO:<" + RANDOM + ">", "RSET", "MAIL FROM:<>", "RCPT TO:<" + POSTMASTER + ">", "QUIT");
    }

    @Test
    void aResetConnectionAndA421CountAsDropsToo() throws Exception {
        AtomicInteger rcpts = new AtomicInteger();
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("RCPT", line -> {
            switch (rcpts.getAndIncrement()) {
                case 0:
                    return Response.of("250 2.1.5 Ok");      // the address
                case 1:
                    return Response.reset();                  // the random one, first connection
                default:
                    return Response.of("421 4.3.2 closing");  // the random one, second connection
            }
        }));

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(RANDOM).build());

        assertAccepted(o);
        assertUnanswered(followUps(o).get(0), RANDOM, "second connection: reply to RCPT: 421 4.3.2 closing");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).as("never a third connection").isEqualTo(2);
    }

    @Test
    void atMostOneExtraConnection() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().rcpt(SmtpScript.knownUsers(USER))
            .on("RSET", Response.close()));

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(RANDOM, POSTMASTER).build());

        assertAccepted(o);
        List<FollowUpReply> replies = followUps(o);
        assertReply(replies.get(0), RANDOM, 550); // asked first on the second connection, which then drops too
        assertUnanswered(replies.get(1), POSTMASTER, "second connection: connection closed by the remote");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(2);
    }

    @Test
    void aSecondConnectionThatIsRefusedLeavesTheRestUnanswered() throws Exception {
        AtomicReference<ScriptedSmtpServer> self = new AtomicReference<>();
        SmtpScript refusing = SmtpScript.standard().greeting("554 5.7.1 too many connections");
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("RSET", Response.close()).on("RCPT", line -> {
            self.get().script(refusing); // connections accepted from now on are refused
            return Response.of("250 2.1.5 Ok");
        }));
        self.set(mx);

        ProbeOutcome o = run(TestProbeRequest.to(mx).followUps(RANDOM).build());

        assertAccepted(o);
        assertUnanswered(followUps(o).get(0), RANDOM, "second connection: greeting: 554 5.7.1 too many connections");
        awaitAllClosed(mx);
        assertThat(mx.connectionCount()).isEqualTo(2);
        assertThat(mx.connection(1).commands()).containsExactly("QUIT");
    }

    @Test
    void theListenerSeesBothConnections() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("RCPT", line -> SmtpScript.pathOf(line).equals(RANDOM)
            ? Response.of("550 5.1.1 no such user").thenClose() : Response.of("250 2.1.5 Ok")));
        List<String> dialog = new CopyOnWriteArrayList<>();

        // One command at a time, so that each reply follows its command in the dialog.
        ProbeOutcome o = run(TestProbeRequest.to(mx).pipelining(false).listener(dialog::add)
            .followUps(RANDOM, POSTMASTER).build());

        followUps(o);
        awaitAllClosed(mx);
        await().atMost(WAIT).until(() -> dialog.stream().filter("closed"::equals).count() == 2);
        assertThat(dialog).containsSubsequence(
            "-> RCPT TO:<" + USER + ">", "<- 250 2.1.5 Ok",
            "-> RSET", "<- 250 2.0.0 Ok", "-> MAIL FROM:<>", "<- 250 2.1.0 Ok",
            "-> RCPT TO:<" + RANDOM + ">", "<- 550 5.1.1 no such user",
            "-> RSET", "closed",
            "connected", "-> EHLO probe.test", "-> RCPT TO:<" + POSTMASTER + ">", "<- 250 2.1.5 Ok", "-> QUIT", "closed");
        assertThat(dialog).anyMatch(l -> l.startsWith("second connection for the remaining follow-ups"));
    }

    // ---- lifecycle ----

    @Test
    void closingTheClientGivesUpTheFollowUpsInFlight() throws Exception {
        ScriptedSmtpServer mx = server(rcpt(a -> userOrElse(a, Response.silence())));
        List<String> dialog = new CopyOnWriteArrayList<>();
        ProbeOutcome o = run(TestProbeRequest.to(mx).commandTimeout(Duration.ofSeconds(60)).listener(dialog::add)
            .followUps(RANDOM).build());
        await().atMost(WAIT).until(() -> dialog.contains("-> RCPT TO:<" + RANDOM + ">"));

        client.close();

        assertUnanswered(followUps(o).get(0), RANDOM, "probe client closed");
        assertThat(client.probesInFlight()).isZero();
        await().atMost(WAIT).until(() -> mx.openConnectionCount() == 0);
    }
}
