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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Connection reuse against scripted servers: a probe leaves its connection, after RSET, for the
 * next probe to the same route, which begins at MAIL FROM; the idle time, the number of probes,
 * the lifetime and the refusals bound how long; a connection that goes bad while kept costs no
 * verdict; routes never mix; a domain's connections, busy or idle, stay within their bound.
 */
class NettyProbeClientReuseTest extends ProbeAgainstScriptedServers {
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final SmtpScript ALICE_ONLY = SmtpScript.standard().rcpt(SmtpScript.knownUsers(ALICE));

    private void reuse(Duration idle, int maxProbes, Duration lifetime, int afterRejected) {
        client.reuse(new ReuseSettings(idle, maxProbes, lifetime, afterRejected), 0);
    }

    private void reuse() {
        reuse(Duration.ofSeconds(10), 20, Duration.ofSeconds(60), 3);
    }

    private ProbeOutcome ask(ScriptedSmtpServer mx, String recipient) throws Exception {
        return run(TestProbeRequest.to(mx).recipient(recipient).build());
    }

    private static void assertCode(ProbeOutcome o, int code) {
        assertThat(o.failure()).as("failure of %s", o).isEmpty();
        assertThat(o.stage()).as("stage of %s", o).isEqualTo(Stage.RCPT);
        assertThat(o.reply()).get().extracting(SmtpReply::code).isEqualTo(code);
    }

    private void awaitIdle(int n) {
        await().atMost(WAIT).until(() -> client.idleConnections() == n);
    }

    // ---- kept and reused

    @Test
    void oneConnectionServesProbesAfterAPassAndAfterARefusalEachAfterRset() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY);

        assertCode(ask(mx, ALICE), 250);
        awaitIdle(1);
        assertCode(ask(mx, BOB), 550);
        awaitIdle(1);
        assertCode(ask(mx, ALICE), 250);
        awaitIdle(1);

        assertThat(mx.connectionCount()).isEqualTo(1);
        assertThat(mx.lastConnection().commands()).containsExactly("EHLO probe.test",
            "MAIL FROM:<>", "RCPT TO:<" + ALICE + ">", "RSET",
            "MAIL FROM:<>", "RCPT TO:<" + BOB + ">", "RSET",
            "MAIL FROM:<>", "RCPT TO:<" + ALICE + ">", "RSET");
        client.close();
        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        awaitAllClosed(mx);
    }

    @Test
    void theProbeOnAKeptConnectionHasItsOwnTranscript() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY);
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();

        run(TestProbeRequest.to(mx).recipient(ALICE).listener(first::add).build());
        awaitIdle(1);
        run(TestProbeRequest.to(mx).recipient(BOB).listener(second::add).build());

        assertThat(first).contains("connect " + mx.address().getAddress().getHostAddress() + ":" + mx.port()
            + " (mx.example.com)", "-> RSET", "<- 250 2.0.0 Ok");
        assertThat(first).anyMatch(l -> l.startsWith("kept for the next probe, at most"));
        assertThat(second).first().asString().startsWith("reuse " + mx.address().getAddress().getHostAddress()
            + ":" + mx.port() + " (mx.example.com): probe 2 on this connection, open ");
        assertThat(second).noneMatch(l -> l.startsWith("connect ")).contains("-> MAIL FROM:<>", "-> RCPT TO:<" + BOB + ">");
    }

    @Test
    void anIdleConnectionSaysQuitWhenItsIdleTimeIsOver() throws Exception {
        reuse(Duration.ofMillis(300), 20, Duration.ofSeconds(60), 3);
        ScriptedSmtpServer mx = server(ALICE_ONLY);

        assertCode(ask(mx, ALICE), 250);

        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        assertThat(mx.lastConnection().verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "QUIT");
        awaitAllClosed(mx);
        assertThat(client.idleConnections()).isZero();
        assertCode(ask(mx, ALICE), 250);
        assertThat(mx.connectionCount()).as("a new connection after the idle one left").isEqualTo(2);
    }

    @Test
    void theCountsShowOpenIdleAndReusedConnections() throws Exception {
        reuse(Duration.ofMillis(500), 20, Duration.ofSeconds(60), 3);
        ScriptedSmtpServer mx = server(ALICE_ONLY);
        assertThat(client.reusedConnections()).isZero();

        assertCode(ask(mx, ALICE), 250);
        awaitIdle(1);
        assertThat(client.reusedConnections()).as("the first probe opened its own").isZero();
        assertCode(ask(mx, BOB), 550);
        awaitIdle(1);

        assertThat(client.reusedConnections()).isEqualTo(1);
        assertThat(client.openConnections()).isEqualTo(1);
        await().atMost(WAIT).until(() -> mx.lastConnection().quitReceived());
        awaitAllClosed(mx);
        await().atMost(WAIT).until(() -> client.openConnections() == 0);
        assertThat(client.idleConnections()).as("the idle time is over").isZero();
        assertThat(client.reusedConnections()).as("a count since start, not a level").isEqualTo(1);
    }

    @Test
    void eachIdleWaitIsCountedFromItsOwnStart() throws Exception {
        reuse(Duration.ofMillis(1000), 20, Duration.ofSeconds(60), 3);
        ScriptedSmtpServer mx = server(ALICE_ONLY);

        assertCode(ask(mx, ALICE), 250);
        awaitIdle(1);
        await().pollDelay(Duration.ofMillis(500)).atMost(WAIT).until(() -> true);
        assertCode(ask(mx, ALICE), 250);
        awaitIdle(1);
        // past the end of the first wait, well within the second
        await().pollDelay(Duration.ofMillis(700)).atMost(WAIT).until(() -> true);

        assertThat(mx.connection(0).quitReceived()).as("the first wait's timer ended the second").isFalse();
        await().atMost(WAIT).until(() -> mx.connection(0).quitReceived());
    }

    @Test
    void aConnectionServesAtMostMaxProbes() throws Exception {
        reuse(Duration.ofSeconds(10), 3, Duration.ofSeconds(60), 3);
        ScriptedSmtpServer mx = server(ALICE_ONLY);
        List<String> third = new CopyOnWriteArrayList<>();

        for (int i = 0; i < 5; i++) {
            run(TestProbeRequest.to(mx).recipient(ALICE).listener(i == 2 ? third::add : l -> { }).build());
            if (i != 2) {
                awaitIdle(1);
            }
        }

        assertThat(mx.connectionCount()).isEqualTo(2);
        await().atMost(WAIT).until(() -> mx.connection(0).isClosed());
        assertThat(mx.connection(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "RSET",
            "MAIL", "RCPT", "QUIT");
        assertThat(mx.connection(1).verbs()).startsWith("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT");
        assertThat(third).contains("not kept: served 3 probes (maxProbes 3)");
    }

    @Test
    void aConnectionOlderThanMaxLifetimeIsNotHandedOutAndLeaves() throws Exception {
        reuse(Duration.ofSeconds(10), 20, Duration.ofMillis(700), 3);
        ScriptedSmtpServer mx = server(ALICE_ONLY);

        assertCode(ask(mx, ALICE), 250);
        // it waits what is left of its lifetime, not the 10 s of idle time
        await().atMost(Duration.ofSeconds(5)).until(() -> mx.connection(0).quitReceived());
        assertCode(ask(mx, ALICE), 250);

        assertThat(mx.connectionCount()).isEqualTo(2);
        assertThat(mx.connection(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "QUIT");
    }

    @Test
    void afterARefusedRecipientAConnectionServesOnlyAfterRejectedMoreProbes() throws Exception {
        reuse(Duration.ofSeconds(10), 20, Duration.ofSeconds(60), 1);
        ScriptedSmtpServer mx = server(ALICE_ONLY);
        List<String> second = new CopyOnWriteArrayList<>();

        assertCode(ask(mx, BOB), 550);
        awaitIdle(1);
        assertCode(run(TestProbeRequest.to(mx).recipient(ALICE).listener(second::add).build()), 250);
        await().atMost(WAIT).until(() -> mx.connection(0).quitReceived());
        assertCode(ask(mx, ALICE), 250);

        assertThat(mx.connection(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "QUIT");
        assertThat(second).contains("not kept: probe 1 was refused, and 1 more served since (afterRejected 1)");
        assertThat(mx.connectionCount()).isEqualTo(2);
    }

    @Test
    void withAfterRejectedZeroARefusalEndsTheConnection() throws Exception {
        reuse(Duration.ofSeconds(10), 20, Duration.ofSeconds(60), 0);
        ScriptedSmtpServer mx = server(ALICE_ONLY);

        assertCode(ask(mx, BOB), 550);

        await().atMost(WAIT).until(() -> mx.connection(0).quitReceived());
        assertThat(mx.connection(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "QUIT");
    }

    // ---- a kept connection that goes bad costs no verdict

    @Test
    void aConnectionDroppedWhileIdleIsNotUsedAgain() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY.on("RSET", Response.of("250 2.0.0 Ok")
            .then(Response.close().after(Duration.ofMillis(100)))));

        assertCode(ask(mx, ALICE), 250);
        awaitAllClosed(mx);
        assertCode(ask(mx, BOB), 550);

        assertThat(mx.connectionCount()).isEqualTo(2);
    }

    @Test
    void a421WhileIdleEndsTheConnectionAndTheNextProbeOpensANewOne() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY.on("RSET", Response.of("250 2.0.0 Ok")
            .then(Response.of("421 4.4.2 scripted.test Error: timeout exceeded").after(Duration.ofMillis(100)))
            .thenSilence()));

        assertCode(ask(mx, ALICE), 250);
        awaitAllClosed(mx);
        assertThat(mx.connection(0).quitReceived()).as("no QUIT after a 421").isFalse();
        assertCode(ask(mx, ALICE), 250);

        assertThat(mx.connectionCount()).isEqualTo(2);
    }

    /** The remote answers the reused connection's first command with a close, a 421, or a refusal of MAIL FROM. */
    private static SmtpScript secondMailFrom(Response onTheKeptConnection) {
        AtomicInteger mails = new AtomicInteger();
        return ALICE_ONLY.on("MAIL", line -> mails.incrementAndGet() == 2 ? onTheKeptConnection
            : Response.of("250 2.1.0 Ok"));
    }

    @Test
    void aKeptConnectionThatClosesUnderTheNextProbeSendsItToANewConnection() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(secondMailFrom(Response.close()));
        List<String> second = new CopyOnWriteArrayList<>();

        assertCode(ask(mx, ALICE), 250);
        awaitIdle(1);
        ProbeOutcome o = run(TestProbeRequest.to(mx).recipient(BOB).listener(second::add).build());

        assertCode(o, 550);
        assertThat(mx.connectionCount()).isEqualTo(2);
        assertThat(second).contains("kept connection unusable (connection closed by the remote): a new connection");
        assertThat(second).anyMatch(l -> l.startsWith("connect "));
        awaitIdle(1);
    }

    @Test
    void a421OnAKeptConnectionSendsTheProbeToANewConnection() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(secondMailFrom(Response.of("421 4.7.0 scripted.test Error: too many errors")
            .thenClose()));

        assertCode(ask(mx, ALICE), 250);
        awaitIdle(1);
        assertCode(ask(mx, BOB), 550);

        assertThat(mx.connectionCount()).isEqualTo(2);
        assertThat(mx.connection(0).quitReceived()).isFalse();
    }

    @Test
    void aRefusedMailFromOnAKeptConnectionSendsTheProbeToANewConnection() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(secondMailFrom(Response.of("452 4.3.1 too many transactions")));

        assertCode(ask(mx, ALICE), 250);
        awaitIdle(1);
        assertCode(ask(mx, ALICE), 250);

        assertThat(mx.connectionCount()).isEqualTo(2);
        await().atMost(WAIT).until(() -> mx.connection(0).quitReceived());
    }

    /**
     * The standard script announces PIPELINING: the kept connection's probe sends MAIL FROM and
     * RCPT TO as one group, the refusal of MAIL FROM comes with the RCPT TO reply still owed, which
     * is read before QUIT, and the probe goes to a new connection.
     */
    @Test
    void aPipelinedProbeWhoseMailFromIsRefusedOnAKeptConnectionReadsTheOwedReplyAndGoesElsewhere() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(secondMailFrom(Response.of("452 4.3.1 too many transactions")));
        List<String> second = new CopyOnWriteArrayList<>();

        assertCode(ask(mx, ALICE), 250);
        awaitIdle(1);
        assertCode(run(TestProbeRequest.to(mx).recipient(BOB).listener(second::add).build()), 550);

        assertThat(second).containsSubsequence("-> MAIL FROM:<>", "-> RCPT TO:<" + BOB + ">",
            "<- 452 4.3.1 too many transactions", "kept connection unusable (MAIL FROM answered 452 4.3.1 too many "
                + "transactions): a new connection");
        await().atMost(WAIT).until(() -> mx.connection(0).quitReceived());
        assertThat(mx.connection(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "QUIT");
        assertThat(mx.connectionCount()).isEqualTo(2);
    }

    @Test
    void aRefusedRsetKeepsNothing() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY.on("RSET", "502 5.5.1 RSET not implemented"));
        List<String> first = new CopyOnWriteArrayList<>();

        run(TestProbeRequest.to(mx).recipient(ALICE).listener(first::add).build());
        await().atMost(WAIT).until(() -> mx.connection(0).quitReceived());
        assertCode(ask(mx, ALICE), 250);

        assertThat(mx.connection(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "QUIT");
        assertThat(first).contains("not kept: RSET answered 502 5.5.1 RSET not implemented");
        assertThat(mx.connectionCount()).isEqualTo(2);
    }

    @Test
    void aSlowRsetTellsOfARemoteSlowingDownAndKeepsNothing() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY.on("RSET", Response.of("250 2.0.0 Ok").after(Duration.ofMillis(1500))));
        List<String> first = new CopyOnWriteArrayList<>();

        run(TestProbeRequest.to(mx).recipient(ALICE).listener(first::add).build());
        await().atMost(WAIT).until(() -> mx.connection(0).quitReceived());

        assertThat(first).anyMatch(l -> l.startsWith("not kept: RSET answered after ") && l.endsWith("the remote slows down"));
        assertThat(client.idleConnections()).isZero();
    }

    /** A new connection to this server takes 400 ms (its greeting waits): its RSET, 150 ms, is worth waiting for. */
    @Test
    void aProbeArrivingWhileTheRsetIsInFlightWaitsForItRatherThanConnecting() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY.greeting(Response.of("220 slow.test ESMTP").after(Duration.ofMillis(400)))
            .on("RSET", Response.of("250 2.0.0 Ok").after(Duration.ofMillis(150))));

        assertCode(ask(mx, ALICE), 250);
        assertCode(ask(mx, BOB), 550); // at once: the first probe's RSET is still unanswered

        assertThat(mx.connectionCount()).isEqualTo(1);
        assertThat(mx.connection(0).verbs()).startsWith("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT");
    }

    @Test
    void aProbeThatClaimedAConnectionWhoseRsetComesTooLateOpensItsOwn() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY.on("RSET", Response.of("250 2.0.0 Ok").after(Duration.ofMillis(2500))));
        List<String> second = new CopyOnWriteArrayList<>();

        assertCode(ask(mx, ALICE), 250);
        long start = System.nanoTime();
        assertCode(run(TestProbeRequest.to(mx).recipient(BOB).listener(second::add).build()), 550);

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("did not wait for the slow RSET")
            .isLessThan(2000);
        // it waited no longer than a new connection takes (a few milliseconds here)
        assertThat(second.get(0)).startsWith("kept connection unusable (RSET not answered within ")
            .endsWith(", the time a new connection takes): a new connection");
        assertThat(mx.connectionCount()).isEqualTo(2);
    }

    // ---- routes never mix

    @Test
    void aTlsConnectionIsReusedInsideTls() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY.offeringStartTls());

        ProbeOutcome first = run(TestProbeRequest.to(mx).recipient(ALICE).tls(TlsPolicy.MAY).build());
        awaitIdle(1);
        ProbeOutcome second = run(TestProbeRequest.to(mx).recipient(BOB).tls(TlsPolicy.MAY).build());

        assertCode(first, 250);
        assertCode(second, 550);
        assertThat(second.tls()).startsWith("TLSv1.").isEqualTo(first.tls());
        assertThat(mx.connectionCount()).isEqualTo(1);
        assertThat(mx.connection(0).commandsInTls()).containsExactly("EHLO probe.test",
            "MAIL FROM:<>", "RCPT TO:<" + ALICE + ">", "RSET", "MAIL FROM:<>", "RCPT TO:<" + BOB + ">", "RSET");
    }

    @Test
    void noConnectionServesAnotherAddressTlsPolicyOrHeloName() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(ALICE_ONLY.offeringStartTls());
        ScriptedSmtpServer other = server(ALICE_ONLY);

        run(TestProbeRequest.to(mx).recipient(ALICE).tls(TlsPolicy.MAY).build());
        awaitIdle(1);
        run(TestProbeRequest.to(mx).recipient(ALICE).tls(TlsPolicy.NONE).build());
        awaitIdle(2);
        run(TestProbeRequest.to(mx).recipient(ALICE).heloName("other.test").build());
        awaitIdle(3);
        run(TestProbeRequest.to(other).recipient(ALICE).build());
        awaitIdle(4);

        assertThat(mx.connectionCount()).isEqualTo(3);
        assertThat(other.connectionCount()).isEqualTo(1);
        // and each is found again by its own route
        run(TestProbeRequest.to(mx).recipient(ALICE).tls(TlsPolicy.NONE).build());
        awaitIdle(4);
        assertThat(mx.connectionCount()).isEqualTo(3);
        assertThat(mx.connection(1).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "RSET");
    }

    // ---- the domain's bound, and the off switch

    @Test
    void aDomainNeverHasMoreOpenConnectionsThanItsBoundIdleOnesIncluded() throws Exception {
        client.reuse(new ReuseSettings(Duration.ofSeconds(30), 20, Duration.ofSeconds(60), 3), 2);
        ScriptedSmtpServer a = server(ALICE_ONLY);
        ScriptedSmtpServer b = server(ALICE_ONLY);
        ScriptedSmtpServer c = server(ALICE_ONLY);

        run(TestProbeRequest.to(a).recipient(ALICE).build());
        awaitIdle(1);
        run(TestProbeRequest.to(b).recipient(ALICE).build());
        awaitIdle(2);
        assertThat(client.openConnections("example.com")).isEqualTo(2);
        // another domain has a bound of its own
        run(TestProbeRequest.to(c).recipient("alice@example.org").build());
        awaitIdle(3);
        assertThat(a.connection(0).quitReceived()).isFalse();

        run(TestProbeRequest.to(c).recipient(ALICE).build()); // takes example.org's connection to c
        await().atMost(WAIT).until(() -> a.connection(0).quitReceived()); // the oldest of example.com left

        assertThat(b.connection(0).quitReceived()).isFalse();
        assertThat(client.openConnections("example.com")).isLessThanOrEqualTo(2);
        assertThat(c.connectionCount()).isEqualTo(1);
    }

    @Test
    void aNewConnectionOfABusyDomainSendsItsOldestIdleOneAway() throws Exception {
        client.reuse(new ReuseSettings(Duration.ofSeconds(30), 20, Duration.ofSeconds(60), 3), 1);
        ScriptedSmtpServer a = server(ALICE_ONLY);
        ScriptedSmtpServer b = server(ALICE_ONLY);

        run(TestProbeRequest.to(a).recipient(ALICE).build());
        awaitIdle(1);
        run(TestProbeRequest.to(b).recipient(ALICE).build());

        await().atMost(WAIT).until(() -> a.connection(0).quitReceived());
        awaitIdle(1);
        assertThat(client.openConnections("example.com")).isEqualTo(1);
    }

    @Test
    void offByDefaultAndWithEitherSwitch() throws Exception {
        ScriptedSmtpServer mx = server(ALICE_ONLY);
        for (ReuseSettings off : List.of(ReuseSettings.OFF,
            new ReuseSettings(Duration.ZERO, 20, Duration.ofSeconds(60), 3),
            new ReuseSettings(Duration.ofSeconds(2), 1, Duration.ofSeconds(60), 3))) {
            client.reuse(off, 0);
            mx.forgetConnections();
            ask(mx, ALICE);
            ask(mx, ALICE);
            awaitAllClosed(mx);
            assertThat(mx.connectionCount()).as("%s", off).isEqualTo(2);
            assertThat(mx.connection(0).verbs()).as("%s", off).containsExactly("EHLO", "MAIL", "RCPT", "QUIT");
        }
    }

    @Test
    void followUpsKeepTheirOwnRulesAndTheirConnectionIsNotKept() throws Exception {
        reuse();
        ScriptedSmtpServer mx = server(SmtpScript.standard());

        ProbeOutcome o = run(TestProbeRequest.to(mx).recipient(ALICE).followUps("postmaster@example.com").build());
        o.followUps().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        await().atMost(WAIT).until(() -> mx.connection(0).quitReceived());
        assertThat(mx.connection(0).verbs()).containsExactly("EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "QUIT");
        assertThat(client.idleConnections()).isZero();
    }

    @Test
    void closingTheClientSaysQuitOnEveryKeptConnection() throws Exception {
        reuse();
        ScriptedSmtpServer a = server(ALICE_ONLY);
        ScriptedSmtpServer b = server(ALICE_ONLY);
        run(TestProbeRequest.to(a).recipient(ALICE).build());
        run(TestProbeRequest.to(b).recipient(ALICE).build());
        awaitIdle(2);

        client.close();

        assertThat(client.openConnections()).isZero();
        awaitAllClosed(a);
        awaitAllClosed(b);
        assertThat(a.connection(0).quitReceived()).isTrue();
        assertThat(b.connection(0).quitReceived()).isTrue();
    }

    @Test
    void manyProbesAtOnceShareFewConnectionsAndLeakNothing() throws Exception {
        client.reuse(new ReuseSettings(Duration.ofSeconds(2), 20, Duration.ofSeconds(60), 3), 4);
        ScriptedSmtpServer mx = server(ALICE_ONLY);
        int rounds = 50;
        for (int round = 0; round < rounds; round++) {
            List<CompletableFuture<ProbeOutcome>> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                batch.add(client.probe(TestProbeRequest.to(mx).recipient(i % 2 == 0 ? ALICE : BOB).build())
                    .toCompletableFuture());
            }
            for (int i = 0; i < batch.size(); i++) {
                assertCode(batch.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS), i % 2 == 0 ? 250 : 550);
            }
        }
        assertThat(mx.connectionCount()).as("200 probes").isLessThan(200 / 4);
        awaitAllClosed(mx);
        assertThat(client.idleConnections()).isZero();
    }
}
