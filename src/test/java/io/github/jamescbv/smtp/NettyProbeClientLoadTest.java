package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.Stage;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestProbeRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many probes at once: nothing leaks, and a couple of threads carry hundreds of slow dialogs. */
class NettyProbeClientLoadTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(0, c); // closed in reverse order of creation
        return c;
    }

    @Test
    void noChannelLeaksAfterManyFailingProbes() throws Exception {
        NettyProbeClient client = closeLater(new NettyProbeClient(2));
        // Servers that fail in every way, and never close a connection themselves (except where
        // closing is the failure): whatever stays open afterwards was leaked by the client.
        // Each with the outcome it must produce ("RCPT 550" = replied, "GREETING TIMEOUT" = failed).
        List<SmtpScript> scripts = List.of(
            SmtpScript.standard().on("RCPT", "550 5.1.1 unknown").on("QUIT", "221 bye"),
            SmtpScript.standard().greeting(Response.silence()),
            SmtpScript.standard().greeting(Response.raw("garbage\r\n")),
            SmtpScript.standard().greeting(Response.raw("220 " + "x".repeat(5000))),
            SmtpScript.standard().greeting("421 4.3.2 busy"),
            SmtpScript.standard().on("MAIL", Response.close()),
            SmtpScript.standard().on("RCPT", Response.reset()),
            SmtpScript.standard().on("EHLO", Response.silence()),
            SmtpScript.standard().on("QUIT", Response.silence()));
        List<String> expected = List.of("RCPT 550", "GREETING TIMEOUT", "GREETING PROTOCOL", "GREETING PROTOCOL",
            "GREETING 421", "MAIL CLOSED", "RCPT CLOSED", "HELO TIMEOUT", "RCPT 250", "CONNECT CONNECT");
        List<ScriptedSmtpServer> servers = scripts.stream()
            .map(s -> closeLater(ScriptedSmtpServer.start(s))).collect(Collectors.toList());
        int refusedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusedPort = s.getLocalPort();
        }
        List<InetSocketAddress> targets = new ArrayList<>();
        servers.forEach(s -> targets.add(s.address()));
        targets.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), refusedPort));

        List<CompletableFuture<ProbeOutcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            outcomes.add(client.probe(TestProbeRequest.to(targets.get(i % targets.size()))
                .commandTimeout(Duration.ofSeconds(3)).build()).toCompletableFuture());
        }
        CompletableFuture.allOf(outcomes.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);

        for (int i = 0; i < outcomes.size(); i++) {
            ProbeOutcome o = outcomes.get(i).getNow(null);
            String actual = o.stage() + " " + o.reply().map(r -> String.valueOf(r.code()))
                .orElseGet(() -> o.failure().get().name());
            assertThat(actual).as("probe %d: %s", i, o).isEqualTo(expected.get(i % expected.size()));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(client.openConnections()).as("client channels still open").isZero();
            for (ScriptedSmtpServer s : servers) {
                assertThat(s.openConnectionCount()).as("open on %s", s).isZero();
            }
        });
        assertThat(client.probesInFlight()).isZero();
        assertThat(servers.stream().mapToInt(ScriptedSmtpServer::connectionCount).sum()).isEqualTo(180);
    }

    @Test
    void fiveHundredSlowDialogsAtOnceOnTwoThreads() throws Exception {
        // Clients of earlier tests are closed; wait until their threads are really gone.
        await().atMost(Duration.ofSeconds(30)).until(() -> ioThreads().isEmpty());
        int ioThreads = 2;
        NettyProbeClient client = closeLater(new NettyProbeClient(ioThreads));
        ScriptedSmtpServer mx = closeLater(ScriptedSmtpServer.start(
            SmtpScript.standard().delayEachReply(Duration.ofMillis(200))));

        List<CompletableFuture<ProbeOutcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            outcomes.add(client.probe(TestProbeRequest.to(mx).recipient("user" + i + "@example.com")
                .commandTimeout(Duration.ofSeconds(60)).total(Duration.ofSeconds(120)).build())
                .toCompletableFuture());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> mx.openConnectionCount() >= 100);
        assertThat(ioThreads()).as("I/O threads while hundreds of dialogs run").hasSize(ioThreads);

        CompletableFuture.allOf(outcomes.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);

        for (CompletableFuture<ProbeOutcome> f : outcomes) {
            ProbeOutcome o = f.getNow(null);
            assertThat(o.stage()).as(o.toString()).isEqualTo(Stage.RCPT);
            assertThat(o.reply()).as(o.toString()).get().extracting(SmtpReply::code).isEqualTo(250);
        }
        assertThat(mx.connectionCount()).isEqualTo(500);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(client.openConnections()).isZero();
            assertThat(mx.openConnectionCount()).isZero();
        });
        assertThat(mx.connections()).allMatch(ScriptedSmtpServer.Connection::quitReceived);
        assertThat(ioThreads()).hasSize(ioThreads);

        client.close();
        await().atMost(Duration.ofSeconds(30)).until(() -> ioThreads().isEmpty());
    }

    private static List<Thread> ioThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("cbv-smtp-") && t.isAlive())
            .collect(Collectors.toList());
    }
}
