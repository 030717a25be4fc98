package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The setup the probe dialog tests share: a {@link NettyProbeClient} with two I/O threads and the
 * scripted servers a test starts, all closed after each test.
 */
abstract class ProbeAgainstScriptedServers {
    /** Generous: a loaded 2-core CI machine must not make these flaky. */
    static final Duration WAIT = Duration.ofSeconds(20);

    NettyProbeClient client;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startClient() {
        client = new NettyProbeClient(2);
    }

    @AfterEach
    void stopAll() throws Exception {
        client.close();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** A scripted server, closed after the test. */
    ScriptedSmtpServer server(SmtpScript script) {
        ScriptedSmtpServer s = ScriptedSmtpServer.start(script);
        toClose.add(s);
        return s;
    }

    ProbeOutcome run(ProbeRequest request) throws Exception {
        return client.probe(request).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Both sides see the connection closed and the client has nothing in flight: nothing leaks, whoever closed it. */
    void awaitAllClosed(ScriptedSmtpServer server) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.openConnections()).as("client channels open").isZero();
            assertThat(server.openConnectionCount()).as("server connections open").isZero();
            assertThat(client.probesInFlight()).as("probes in flight").isZero();
        });
    }
}
