package io.github.jamescbv.smtp;

import static io.github.jamescbv.testing.TestProbeRequest.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.NoopAddressResolverGroup;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection on its own, driven by a test owner that runs one transaction per recipient it is
 * given, then quits: the opening, the transactions it carries, and what it reports.
 */
class SmtpConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .resolver(NoopAddressResolverGroup.INSTANCE);
    private ScriptedSmtpServer server;

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        if (server != null) {
            server.close();
        }
    }

    /** Owner and transaction listener at once: one transaction per recipient, each event a line. */
    private static final class Driver implements SmtpConnection.Owner, Transaction.Listener {
        final List<String> events = new CopyOnWriteArrayList<>();
        private final Deque<EmailAddress> recipients = new ArrayDeque<>();
        SmtpConnection connection;
        private boolean carriedOne;

        Driver(String... recipients) {
            for (String r : recipients) {
                this.recipients.add(address(r));
            }
        }

        @Override
        public boolean wanted() {
            return true;
        }

        @Override
        public void ready(Capabilities capabilities) {
            events.add("ready: " + capabilities);
            next();
        }

        private void next() {
            if (recipients.isEmpty()) {
                connection.quit();
            } else if (carriedOne) {
                Transaction.beginAfterAnother(connection, Optional.empty(), this);
            } else {
                carriedOne = true;
                Transaction.begin(connection, Optional.empty(), this);
            }
        }

        @Override
        public void openingRefused(SmtpReply reply) {
            events.add("opening refused at " + connection.stage().word() + ": " + reply);
            connection.quit();
        }

        @Override
        public void failed(ProbeOutcome failure) {
            events.add("failed: " + failure);
        }

        @Override
        public void tlsFailed(ProbeOutcome failure) {
            events.add("tls failed: " + failure);
        }

        @Override
        public void closed() {
            events.add("closed");
        }

        @Override
        public void mailAccepted(Transaction transaction) {
            transaction.rcptTo(recipients.peek());
        }

        @Override
        public void refused(Transaction transaction, SmtpReply reply) {
            events.add(transaction.verb() + " refused: " + reply);
            recipients.poll();
            next();
        }

        @Override
        public void rcptReplied(Transaction transaction, SmtpReply reply) {
            events.add(recipients.poll() + ": " + reply.code() + " at " + connection.stage().word());
            next();
        }
    }

    private Driver run(SmtpScript script, String... recipients) {
        server = ScriptedSmtpServer.start(script);
        Driver driver = new Driver(recipients);
        Route route = new Route(server.address(), "mx.example.com", "probe.test");
        ProbeLimits limits = new ProbeLimits(Duration.ofSeconds(5), Duration.ofSeconds(10),
            System.nanoTime() + WAIT.toNanos(), Ticker.SYSTEM);
        driver.connection = new SmtpConnection(route, new TlsClient());
        driver.connection.attach(driver, limits, new Transcript(route, DialogListener.NONE));
        group.execute(() -> driver.connection.connect(bootstrap));
        await().atMost(WAIT).until(() -> driver.events.contains("closed"));
        return driver;
    }

    @Test
    void oneConnectionCarriesTwoTransactionsBetweenOneGreetingAndOneQuit() {
        Driver d = run(SmtpScript.standard().rcpt(SmtpScript.knownUsers("a@example.com")),
            "a@example.com", "b@example.com");

        assertThat(d.events).containsExactly("ready: PIPELINING 8BITMIME",
            "a@example.com: 250 at rcpt", "b@example.com: 550 at rcpt", "closed");
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.lastConnection().commands()).containsExactly("EHLO probe.test",
            "MAIL FROM:<>", "RCPT TO:<a@example.com>",
            "RSET", "MAIL FROM:<>", "RCPT TO:<b@example.com>",
            "QUIT");
    }

    @Test
    void anOldServerGetsHeloAndAnnouncesNoExtensions() {
        Driver d = run(SmtpScript.standard().on("EHLO", "500 5.5.1 what?"), "a@example.com");

        assertThat(d.events).containsExactly("ready: no extensions", "a@example.com: 250 at rcpt", "closed");
        assertThat(server.lastConnection().verbs()).containsExactly("EHLO", "HELO", "MAIL", "RCPT", "QUIT");
    }

    @Test
    void aRefusedOpeningReachesTheOwnerWithItsStage() {
        Driver d = run(SmtpScript.standard().on("EHLO", "421 4.3.2 busy"), "a@example.com");

        assertThat(d.events).containsExactly("opening refused at helo: 421 4.3.2 busy", "closed");
    }

    @Test
    void aRefusedRsetOrMailFromGoesToItsTransaction() {
        Driver d = run(SmtpScript.standard().on("MAIL", "550 5.7.1 not you").on("RSET", "502 5.5.1 no RSET"),
            "a@example.com", "b@example.com");

        assertThat(d.events).containsExactly("ready: PIPELINING 8BITMIME",
            "MAIL refused: 550 5.7.1 not you", "RSET refused: 502 5.5.1 no RSET", "closed");
    }

    @Test
    void aConnectionLostInATransactionIsAFailureAtItsCommand() {
        Driver d = run(SmtpScript.standard().on("RCPT", Response.close()), "a@example.com");

        assertThat(d.events).containsExactly("ready: PIPELINING 8BITMIME",
            "failed: rcpt CLOSED connection closed by the remote", "closed");
    }
}
