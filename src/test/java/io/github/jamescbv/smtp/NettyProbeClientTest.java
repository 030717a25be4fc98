package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.Stage;
import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestProbeRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The probe dialog against real sockets on loopback, one scripted server per test. */
class NettyProbeClientTest extends ProbeAgainstScriptedServers {
    private ProbeOutcome run(ScriptedSmtpServer server) throws Exception {
        return run(TestProbeRequest.to(server).build());
    }

    private static void assertReplied(ProbeOutcome o, Stage stage, int code) {
        assertThat(o.failure()).as("failure of %s", o).isEmpty();
        assertThat(o.stage()).as("stage of %s", o).isEqualTo(stage);
        assertThat(o.reply()).get().extracting(SmtpReply::code).isEqualTo(code);
    }

    private static void assertFailed(ProbeOutcome o, Stage stage, Failure failure) {
        assertThat(o.failure()).as("failure of %s", o).contains(failure);
        assertThat(o.stage()).as("stage of %s", o).isEqualTo(stage);
        assertThat(o.reply()).isEmpty();
    }

    // ---- replies that decide ----

    @Test
    void acceptedRecipientPassesAndTheDialogEndsWithQuit() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());

        ProbeOutcome o = run(mx);

        assertReplied(o, Stage.RCPT, 250);
        assertThat(o.reply().get().enhancedCode()).isEqualTo("2.1.5");
        await().atMost(WAIT).until(() -> mx.connectionCount() == 1 && mx.lastConnection().quitReceived());
        assertThat(mx.lastConnection().commands())
            .containsExactly("EHLO probe.test", "MAIL FROM:<>", "RCPT TO:<user@example.com>", "QUIT");
        awaitAllClosed(mx);
    }

    @Test
    void rejectedRecipientIsDecidedAtRcpt() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().rcpt(SmtpScript.knownUsers("alice@example.com")));

        ProbeOutcome o = run(TestProbeRequest.to(mx).recipient("bob@example.com").build());

        assertReplied(o, Stage.RCPT, 550);
        assertThat(o.reply().get().enhancedCode()).isEqualTo("5.1.1");
        assertThat(o.reply().get().text()).contains("User unknown");
        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL", "RCPT", "QUIT");
        awaitAllClosed(mx);
    }

    @Test
    void rejectedSenderIsDecidedAtMailAndNoRcptIsSent() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("MAIL", "550 5.7.1 no bounces accepted"));

        // One command at a time (pipelined, RCPT goes with MAIL: NettyProbeClientPipeliningTest).
        ProbeOutcome o = run(TestProbeRequest.to(mx).pipelining(false).build());

        assertReplied(o, Stage.MAIL, 550);
        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL", "QUIT");
        awaitAllClosed(mx);
    }

    @Test
    void rejectingGreetingIsDecidedAtGreetingAndAnsweredWithQuit() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().greeting("554 5.7.1 no SMTP service here"));

        ProbeOutcome o = run(mx);

        assertReplied(o, Stage.GREETING, 554);
        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        assertThat(mx.lastConnection().commands()).containsExactly("QUIT");
        awaitAllClosed(mx);
    }

    @Test
    void ehloRefusedFallsBackToHelo() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("EHLO", "502 5.5.1 EHLO not implemented"));

        ProbeOutcome o = run(mx);

        assertReplied(o, Stage.RCPT, 250);
        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        assertThat(mx.lastConnection().commands())
            .containsExactly("EHLO probe.test", "HELO probe.test", "MAIL FROM:<>", "RCPT TO:<user@example.com>", "QUIT");
    }

    @Test
    void ehloAndHeloRefusedIsDecidedAtHeloWithHelosReply() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard()
            .on("EHLO", "502 5.5.1 EHLO not implemented")
            .on("HELO", "550 5.7.1 go away"));

        ProbeOutcome o = run(mx);

        assertReplied(o, Stage.HELO, 550);
        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "HELO", "QUIT");
    }

    /** The stages a 4xx can decide, and the verb the server answers it to. */
    enum TransientAt {
        GREETING(Stage.GREETING, null), EHLO(Stage.HELO, "EHLO"), MAIL(Stage.MAIL, "MAIL"), RCPT(Stage.RCPT, "RCPT");

        final Stage stage;
        final String verb;

        TransientAt(Stage stage, String verb) {
            this.stage = stage;
            this.verb = verb;
        }
    }

    @ParameterizedTest
    @EnumSource(TransientAt.class)
    void transientReplyDecidesItsStageAndIsFollowedByQuit(TransientAt at) throws Exception {
        String reply = "450 4.7.1 try again later";
        SmtpScript script = at.verb == null ? SmtpScript.standard().greeting(reply) : SmtpScript.standard().on(at.verb, reply);
        ScriptedSmtpServer mx = server(script);

        ProbeOutcome o = run(mx);

        assertReplied(o, at.stage, 450);
        assertThat(o.reply().get().isTransient()).isTrue();
        assertThat(o.reply().get().enhancedCode()).isEqualTo("4.7.1");
        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        // a 4xx to EHLO is no reason to try HELO
        assertThat(mx.lastConnection().verbs()).doesNotContain("HELO").endsWith("QUIT");
        awaitAllClosed(mx);
    }

    @ParameterizedTest
    @EnumSource(TransientAt.class)
    void serviceClosing421DecidesWithoutQuitAndTheClientCloses(TransientAt at) throws Exception {
        // The scripted server keeps the connection open after 421: the client must close it.
        String reply = "421 4.3.2 shutting down";
        SmtpScript script = at.verb == null ? SmtpScript.standard().greeting(reply) : SmtpScript.standard().on(at.verb, reply);
        ScriptedSmtpServer mx = server(script);

        ProbeOutcome o = run(mx);

        assertReplied(o, at.stage, 421);
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().quitReceived()).isFalse();
        assertThat(mx.lastConnection().verbs()).doesNotContain("HELO");
    }

    // ---- connect failures ----

    @Test
    void refusedConnectionFailsAtConnect() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ProbeOutcome o = run(TestProbeRequest.to(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort)).build());

        assertFailed(o, Stage.CONNECT, Failure.CONNECT);
        assertThat(o.detail()).containsIgnoringCase("refused");
        await().atMost(WAIT).until(() -> client.openConnections() == 0);
    }

    @Test
    void connectTimeoutFailsAtConnect() throws Exception {
        try (UnansweredListener silent = UnansweredListener.open()) {
            ProbeOutcome o = run(TestProbeRequest.to(silent.address()).connectTimeout(Duration.ofMillis(400)).build());

            assertFailed(o, Stage.CONNECT, Failure.CONNECT);
            assertThat(o.detail()).isEqualTo("connect timed out after 400ms");
        }
        await().atMost(WAIT).until(() -> client.openConnections() == 0);
    }

    @Test
    void deadlineCutsTheConnectShort() throws Exception {
        try (UnansweredListener silent = UnansweredListener.open()) {
            ProbeOutcome o = run(TestProbeRequest.to(silent.address())
                .connectTimeout(Duration.ofSeconds(60)).total(Duration.ofMillis(400)).build());

            assertFailed(o, Stage.CONNECT, Failure.TIMEOUT);
            assertThat(o.detail()).isEqualTo("total timeout reached");
        }
    }

    @Test
    void deadlineAlreadyPassedFailsWithoutConnecting() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());

        ProbeOutcome o = run(TestProbeRequest.to(mx).total(Duration.ofMillis(-1)).build());

        assertFailed(o, Stage.CONNECT, Failure.TIMEOUT);
        assertThat(mx.connectionCount()).isZero();
    }

    // ---- timeouts ----

    @Test
    void serverThatNeverSpeaksTimesOutAtGreeting() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().greeting(Response.silence()));

        ProbeOutcome o = run(TestProbeRequest.to(mx).commandTimeout(Duration.ofMillis(300)).build());

        assertFailed(o, Stage.GREETING, Failure.TIMEOUT);
        assertThat(o.detail()).isEqualTo("no reply within 300ms");
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().commands()).isEmpty();
    }

    @Test
    void unansweredRcptTimesOutAtRcptWithoutQuit() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("RCPT", Response.silence()));

        ProbeOutcome o = run(TestProbeRequest.to(mx).commandTimeout(Duration.ofMillis(500)).build());

        assertFailed(o, Stage.RCPT, Failure.TIMEOUT);
        assertThat(o.detail()).isEqualTo("no reply within 500ms");
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL", "RCPT");
    }

    @Test
    void totalDeadlineShorterThanCommandTimeoutWins() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("RCPT", Response.silence()));
        ProbeRequest request = TestProbeRequest.to(mx)
            .commandTimeout(Duration.ofSeconds(60)).total(Duration.ofMillis(700)).build();

        // get() with a bound well below commandTimeout: it is the deadline that ends the probe
        ProbeOutcome o = client.probe(request).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertFailed(o, Stage.RCPT, Failure.TIMEOUT);
        assertThat(o.detail()).isEqualTo("total timeout reached");
        awaitAllClosed(mx);
    }

    @Test
    void multiLineReplyDrippedSlowerThanTheTimeoutStillTimesOut() throws Exception {
        // each byte arrives in time, the whole reply does not: the timer is per reply, not per read
        ScriptedSmtpServer mx = server(SmtpScript.standard()
            .greeting(Response.drip(Duration.ofMillis(50), "220-" + "x".repeat(40) + "\r\n220 ok\r\n")));

        ProbeOutcome o = run(TestProbeRequest.to(mx).commandTimeout(Duration.ofMillis(600)).build());

        assertFailed(o, Stage.GREETING, Failure.TIMEOUT);
        awaitAllClosed(mx);
    }

    // ---- broken connections and protocol errors ----

    @Test
    void remoteClosingAfterGreetingFailsAsClosed() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().greeting(Response.of("220 hi").thenClose()));

        ProbeOutcome o = run(mx);

        assertFailed(o, Stage.HELO, Failure.CLOSED);
        awaitAllClosed(mx);
    }

    @Test
    void remoteClosingAfterMailFailsAsClosedAtMail() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("MAIL", Response.close()));

        ProbeOutcome o = run(mx);

        assertFailed(o, Stage.MAIL, Failure.CLOSED);
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL");
        awaitAllClosed(mx);
    }

    @Test
    void remoteResetAtRcptFailsAsClosed() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("RCPT", Response.reset()));

        ProbeOutcome o = run(mx);

        assertFailed(o, Stage.RCPT, Failure.CLOSED);
        awaitAllClosed(mx);
    }

    @Test
    void remoteClosingInTheMiddleOfAReplyFailsAsClosed() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("EHLO", Response.raw("250-mx\r\n250-SIZE").thenClose()));

        ProbeOutcome o = run(mx);

        assertFailed(o, Stage.HELO, Failure.CLOSED);
        assertThat(o.detail()).contains("middle of a reply");
    }

    @Test
    void replySplitAcrossTcpWritesIsReassembled() throws Exception {
        Duration pause = Duration.ofMillis(30);
        ScriptedSmtpServer mx = server(SmtpScript.standard()
            .greeting(Response.split(pause, "2", "20-mx.test", " hello\r", "\n220 rea", "dy\r\n"))
            .on("EHLO", Response.split(pause, "250-mx.test\r\n250-PIPE", "LINING\r\n", "250 8BITMIME\r\n"))
            .on("RCPT", Response.drip(Duration.ofMillis(5), "550 5.1.1 no such user\r\n")));

        ProbeOutcome o = run(mx);

        assertReplied(o, Stage.RCPT, 550);
        assertThat(o.reply().get().text()).isEqualTo("no such user");
    }

    @Test
    void lineWithoutEndBeyondTheLimitIsAProtocolErrorAtOnce() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard()
            .greeting(Response.raw("220 " + "a".repeat(3000)).thenSilence()));

        // the command timeout is far away: only the line limit can end this quickly
        ProbeOutcome o = run(TestProbeRequest.to(mx).commandTimeout(Duration.ofSeconds(60)).build());

        assertFailed(o, Stage.GREETING, Failure.PROTOCOL);
        assertThat(o.detail()).contains("longer than 2048");
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().quitReceived()).isFalse();
    }

    @Test
    void garbageGreetingIsAProtocolError() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().greeting(Response.raw("SSH-2.0-OpenSSH_9.2\r\n")));

        ProbeOutcome o = run(mx);

        assertFailed(o, Stage.GREETING, Failure.PROTOCOL);
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().commands()).isEmpty();
    }

    @Test
    void replyOfMoreThanHundredLinesIsAProtocolError() throws Exception {
        StringBuilder ehlo = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            ehlo.append("250-EXTENSION").append(i).append('\n');
        }
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("EHLO", ehlo + "250 END"));

        ProbeOutcome o = run(mx);

        assertFailed(o, Stage.HELO, Failure.PROTOCOL);
        assertThat(o.detail()).contains("100 lines");
    }

    @Test
    void mismatchedCodesAreAProtocolError() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("MAIL", "250-ok\n550 no"));

        ProbeOutcome o = run(mx);

        assertFailed(o, Stage.MAIL, Failure.PROTOCOL);
    }

    @Test
    void repliesSentAheadOfOurCommandsAreAProtocolError() throws Exception {
        // a server answering commands it has not received is out of step: no later reply can be trusted
        ScriptedSmtpServer mx = server(SmtpScript.standard().greeting("220 hi\n250 already"));

        ProbeOutcome o = run(mx);

        assertFailed(o, Stage.HELO, Failure.PROTOCOL);
        awaitAllClosed(mx);
    }

    @Test
    void bareLineFeedsAreAccepted() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard()
            .greeting(Response.raw("220 unix style\n"))
            .on("RCPT", Response.raw("250-one\n250 two\n")));

        assertReplied(run(mx), Stage.RCPT, 250);
    }

    // ---- after the decision ----

    @Test
    void outcomeDoesNotWaitForTheReplyToQuit() throws Exception {
        CountDownLatch send221 = new CountDownLatch(1);
        ScriptedSmtpServer mx = server(SmtpScript.standard()
            .on("QUIT", Response.of("221 2.0.0 bye").awaiting(send221).thenClose()));
        List<String> dialog = new CopyOnWriteArrayList<>();

        CompletableFuture<ProbeOutcome> outcome = client.probe(TestProbeRequest.to(mx)
            .commandTimeout(Duration.ofSeconds(30)).listener(dialog::add).build()).toCompletableFuture();

        // The server holds the 221 until the latch opens: the outcome must be there before.
        ProbeOutcome o = outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertReplied(o, Stage.RCPT, 250);
        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        assertThat(send221.getCount()).as("221 still held back").isEqualTo(1);
        assertThat(client.openConnections()).as("still waiting politely for the 221").isEqualTo(1);

        send221.countDown();
        awaitAllClosed(mx);
        await().atMost(WAIT).until(() -> dialog.contains("closed"));
        assertThat(dialog).containsSubsequence("-> QUIT", "<- 221 2.0.0 bye", "closed");
    }

    @Test
    void unansweredQuitIsGivenUpAfterABoundedWait() throws Exception {
        // QUIT is never answered and the server never closes: the client closes after min(commandTimeout, 5s)
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("QUIT", Response.silence()));

        ProbeOutcome o = run(TestProbeRequest.to(mx).commandTimeout(Duration.ofMillis(300)).build());

        assertReplied(o, Stage.RCPT, 250);
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().quitReceived()).isTrue();
    }

    @Test
    void listenerSeesTheWholeDialog() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard()
            .on("EHLO", "502 5.5.1 no\r\n")
            .on("RCPT", "550-5.1.1 first line\n550 5.1.1 <user@example.com> unknown \u001b[31m"));
        List<String> dialog = new CopyOnWriteArrayList<>();

        run(TestProbeRequest.to(mx).mxHost("mx.example.com").listener(dialog::add).build());

        await().atMost(WAIT).until(() -> dialog.contains("closed"));
        String target = "127.0.0.1:" + mx.port();
        assertThat(dialog).containsExactly(
            "connect " + target + " (mx.example.com)",
            "connected",
            "<- 220 scripted.test ESMTP ready",
            "-> EHLO probe.test",
            "<- 502 5.5.1 no",
            "-> HELO probe.test",
            "<- 250 scripted.test",
            "-> MAIL FROM:<>",
            "<- 250 2.1.0 Ok",
            "-> RCPT TO:<user@example.com>",
            "<- 550-5.1.1 first line",
            "<- 550 5.1.1 <user@example.com> unknown ?[31m",
            "-> QUIT",
            "<- 221 2.0.0 Bye",
            "closed");
    }

    @Test
    void listenerSeesTimeouts() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("MAIL", Response.silence()));
        List<String> dialog = new CopyOnWriteArrayList<>();

        run(TestProbeRequest.to(mx).commandTimeout(Duration.ofMillis(300)).listener(dialog::add).build());

        await().atMost(WAIT).until(() -> dialog.contains("closed"));
        assertThat(dialog).containsSubsequence("-> MAIL FROM:<>", "timeout: no reply within 300ms", "closed");
    }

    @Test
    void failingListenerDoesNotBreakTheProbe() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());

        ProbeOutcome o = run(TestProbeRequest.to(mx).listener(line -> {
            throw new IllegalStateException("listener bug");
        }).build());

        assertReplied(o, Stage.RCPT, 250);
    }

    // ---- what is written ----

    @Test
    void nullSenderIsWrittenAsEmptyPath() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());

        run(TestProbeRequest.to(mx).mailFrom(null).build());

        assertThat(mx.lastConnection().commands()).contains("MAIL FROM:<>");
    }

    @Test
    void configuredSenderIsWrittenInAngleBrackets() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());

        run(TestProbeRequest.to(mx).mailFrom("postmaster@probe.test").recipient("Some.One@Example.COM").build());

        assertThat(mx.lastConnection().commands())
            .contains("MAIL FROM:<postmaster@probe.test>", "RCPT TO:<Some.One@example.com>");
    }

    @Test
    void commandWithLineBreakIsRefusedBeforeItIsWritten() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());

        ProbeOutcome o = run(TestProbeRequest.to(mx).heloName("probe.test\r\nRCPT TO:<victim@example.com>").build());

        assertFailed(o, Stage.HELO, Failure.INTERNAL);
        assertThat(o.detail()).contains("refused to send EHLO");
        awaitAllClosed(mx);
        assertThat(mx.lastConnection().commands()).isEmpty();
    }

    @Test
    void commandLongerThan512OctetsIsRefused() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());
        String longName = "a".repeat(505); // "EHLO " + 505 + CRLF = 512: the limit
        String tooLong = "a".repeat(506);

        assertReplied(run(TestProbeRequest.to(mx).heloName(longName).build()), Stage.RCPT, 250);
        ProbeOutcome o = run(TestProbeRequest.to(mx).heloName(tooLong).build());

        assertFailed(o, Stage.HELO, Failure.INTERNAL);
        assertThat(o.detail()).contains("512");
    }

    // ---- lifecycle ----

    @Test
    void closingTheClientCompletesProbesInFlight() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard().on("MAIL", Response.silence()));
        List<String> dialog = new CopyOnWriteArrayList<>();
        CompletableFuture<ProbeOutcome> outcome = client.probe(TestProbeRequest.to(mx)
            .commandTimeout(Duration.ofSeconds(60)).listener(dialog::add).build()).toCompletableFuture();
        await().atMost(WAIT).until(() -> dialog.contains("-> MAIL FROM:<>"));

        client.close();

        ProbeOutcome o = outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertFailed(o, Stage.MAIL, Failure.INTERNAL);
        assertThat(o.detail()).isEqualTo("probe client closed");
        await().atMost(WAIT).until(() -> mx.openConnectionCount() == 0);
    }

    @Test
    void probeAfterCloseFailsAtOnce() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());
        client.close();

        ProbeOutcome o = run(mx);

        assertFailed(o, Stage.CONNECT, Failure.INTERNAL);
        assertThat(mx.connectionCount()).isZero();
    }

    @Test
    void callerCannotCompleteTheClientsFuture() throws Exception {
        ScriptedSmtpServer mx = server(SmtpScript.standard());
        CompletableFuture<ProbeOutcome> f = client.probe(TestProbeRequest.to(mx).build()).toCompletableFuture();
        f.complete(null);
        awaitAllClosed(mx);
        assertThat(client.probesInFlight()).isZero();
    }

    /**
     * A listening socket whose accept queue is full, so that further connects get no answer at
     * all (Linux drops the SYN): a connect timeout on loopback without depending on the network.
     */
    static final class UnansweredListener implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> fillers = new ArrayList<>();

        private UnansweredListener(ServerSocket server) {
            this.server = server;
        }

        static UnansweredListener open() throws IOException {
            UnansweredListener l = new UnansweredListener(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket();
                try {
                    s.connect(l.address(), 300);
                    l.fillers.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return l; // the queue is full: connects now hang
                }
            }
            l.close();
            Assumptions.abort("this OS answers connects beyond the listen backlog; cannot produce a connect timeout on loopback");
            return null;
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            for (Socket s : fillers) {
                s.close();
            }
            server.close();
        }
    }
}
