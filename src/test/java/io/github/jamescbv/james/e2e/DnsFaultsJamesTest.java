package io.github.jamescbv.james.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.james.CallbackVerifyHandler;
import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.ConfDirectory;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.StartedInOrder;
import io.github.jamescbv.testing.peers.DnsmasqPeer;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.james.GuiceJamesServer;
import org.apache.james.utils.DataProbeImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real James 3.8.1 whose handler asks a real dnsmasq, and that dnsmasq stopped and started
 * again under it (issue 14, "a moment of DNS trouble on our side is not the domain's verdict").
 * While nothing answers DNS, mail gets {@code transient} saying the resolver is unreachable, and
 * that is remembered for no one: the first mail after dnsmasq is back is called back. A name
 * whose lookups time out is remembered for its domain for {@code dnsFailureTtl} (5 s here), not
 * for {@code transientTtl} (5 minutes): once DNS answers for it, its senders are called back
 * within that short memory.
 */
@RequiresPeers(Need.DNSMASQ)
class DnsFaultsJamesTest {
    static final String SERVER = "dnsfaults.cbv.test";
    static final String BOB = "bob@local.test";
    /** The loopback address dnsmasq listens on, on a free port (no other test uses it). */
    static final String DNS_ADDRESS = "127.0.0.57";
    /** dnsFailureTtl of dns-faults/smtpserver.xml. */
    static final Duration DNS_FAILURE_TTL = Duration.ofSeconds(5);
    /** A restart of dnsmasq, a mail through James, a busy two-core machine. */
    static final Duration SLACK = Duration.ofSeconds(4);
    /** Its MX answers while dnsmasq does; the test stops dnsmasq under it. */
    static final String DOWN = "down.test";
    /** Its MX lookups time out while dnsmasq forwards it to a server that never answers. */
    static final String SLOW = "slow.test";

    @TempDir
    static Path workingDirectory;
    static int dnsPort;
    static DnsmasqPeer dns;
    static ScriptedSmtpServer mx;
    static GuiceJamesServer james;
    static final RunningJames JAMES = new RunningJames(() -> james);
    static final UniqueNames NAMES = new UniqueNames();

    /** The MX, whichever dnsmasq runs at the end, James: stopped last first. */
    static final StartedInOrder STARTED = new StartedInOrder();

    @BeforeAll
    static void start() throws Exception {
        mx = STARTED.add(ScriptedSmtpServer.start(SmtpScript.standard()));
        dnsPort = freePort();
        dns = dnsmasq(true);
        STARTED.add(() -> dns.close());
        String smtp = ConfDirectory.replace(ConfDirectory.replace(ConfDirectory.resource("dns-faults/smtpserver.xml"),
            "MX_PORT", Integer.toString(mx.port())), "DNS_SERVER", dns.server());
        ConfDirectory.write(workingDirectory, smtp, ConfDirectory.resource("mailetcontainer.xml"));
        james = JamesUnderTest.server(workingDirectory);
        STARTED.add(james::stop);
        james.start();
        james.getProbe(DataProbeImpl.class).fluent().addDomain("local.test").addUser(BOB, "bob-secret");
    }

    @AfterAll
    static void stop() {
        STARTED.close();
    }

    @Test
    void whileTheResolverIsDownMailIsTransientAndTheFirstMailAfterItIsBackIsCalledBack() throws Exception {
        restartDns(true);
        assertThat(deliver(sender(DOWN)).result()).as("DNS up: called back").contains("pass");

        dns.close(); // nothing listens on the resolver's address now: ICMP port unreachable
        String during = sender(DOWN);
        Map<String, String> first;
        Map<String, String> second;
        try (LoggedLines log = new LoggedLines(CallbackVerifyHandler.class)) {
            log.attach();
            StoredMail down = deliver(during);
            assertThat(down.result()).contains("transient");
            first = down.detail();
            second = deliver(sender(DOWN)).detail();
            assertThat(log.anyMatch(l -> l.contains("sender=" + during) && l.contains("resolver unreachable")))
                .as("the log line says it was the resolver").isTrue();
        }
        assertThat(first).containsEntry("stage", "dns").containsEntry("dnsFailure", "resolver-unreachable")
            .containsEntry("cached", "false");
        assertThat(first.get("text")).startsWith("MX lookup for down.test failed: resolver unreachable: no DNS server reachable");
        assertThat(second).as("not remembered even while the resolver is down: DNS is asked again")
            .containsEntry("dnsFailure", "resolver-unreachable").containsEntry("cached", "false");

        restartDns(true);
        String after = sender(DOWN);
        StoredMail back = deliver(after);
        assertThat(back.result()).as("the first mail after DNS is back is called back").contains("pass");
        assertThat(back.detail()).containsEntry("cached", "false");
        assertThat(mx.connections()).anyMatch(c -> c.commands().contains("RCPT TO:<" + after + ">"));
        assertThat(deliver(during).result()).as("nor was the address itself remembered").contains("pass");
    }

    @Test
    void aTimeoutForANameIsRememberedForItsDomainForDnsFailureTtlOnly() throws Exception {
        restartDns(false);
        StoredMail failed = deliver(sender(SLOW));
        long remembered = System.nanoTime(); // the verdict was remembered before the mail was accepted
        assertThat(failed.result()).contains("transient");
        assertThat(failed.detail()).containsEntry("stage", "dns").containsEntry("dnsFailure", "timeout")
            .containsEntry("cached", "false");
        assertThat(failed.detail().get("text")).startsWith("MX lookup for slow.test failed: timeout");

        restartDns(true); // slow.test answers from now on
        String meanwhile = sender(SLOW);
        Map<String, String> held = deliver(meanwhile).detail();
        Duration heldAfter = since(remembered);
        assertThat(heldAfter).as("the next mail came within the short memory").isLessThan(DNS_FAILURE_TTL);
        assertThat(held).as("remembered for the domain, briefly").containsEntry("result", "transient")
            .containsEntry("dnsFailure", "timeout").containsEntry("cached", "true");
        assertThat(mx.connections()).noneMatch(c -> c.commands().contains("RCPT TO:<" + meanwhile + ">"));

        String passed = null;
        while (passed == null && since(remembered).compareTo(DNS_FAILURE_TTL.plus(SLACK)) < 0) {
            String sender = sender(SLOW);
            if (deliver(sender).result().orElse("").equals("pass")) {
                passed = sender;
            } else {
                Thread.sleep(250);
            }
        }
        Duration passedAfter = since(remembered);
        assertThat(passed).as("a sender of slow.test called back within dnsFailureTtl %s (+ %s), not transientTtl",
            DNS_FAILURE_TTL, SLACK).isNotNull();
        assertThat(passedAfter).as("the memory of the timeout did last").isGreaterThan(heldAfter);
        String callback = "RCPT TO:<" + passed + ">";
        assertThat(mx.connections()).anyMatch(c -> c.commands().contains(callback));
    }

    /** A mail from {@code sender} to Bob, as stored with its verdict. */
    private static StoredMail deliver(String sender) throws IOException {
        String subject = NAMES.unique("subject");
        JAMES.deliver(SERVER, sender, BOB, subject);
        return JAMES.awaitMail(subject);
    }

    private static String sender(String domain) {
        return NAMES.unique("sender") + "@" + domain;
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    /** dnsmasq again on the same address and port, after stopping the one that runs (if it does). */
    private static void restartDns(boolean slowAnswers) {
        dns.close();
        dns = dnsmasq(slowAnswers);
    }

    /**
     * Both domains' MX hosts at 127.0.0.1 (the scripted MX's port is the handler's {@code port});
     * slow.test only when {@code slowAnswers}, else forwarded to a server that never answers.
     */
    private static DnsmasqPeer dnsmasq(boolean slowAnswers) {
        DnsmasqPeer.Builder b = DnsmasqPeer.builder(DNS_ADDRESS, dnsPort).name("dns-faults")
            .zone(DOWN).mx(DOWN, 10, "mx." + DOWN).a("mx." + DOWN, "127.0.0.1");
        if (slowAnswers) {
            b.zone(SLOW).mx(SLOW, 10, "mx." + SLOW).a("mx." + SLOW, "127.0.0.1");
        } else {
            b.failing(SLOW);
        }
        return b.start();
    }

    /** A port free on {@link #DNS_ADDRESS} for UDP and TCP both, as dnsmasq binds both. */
    private static int freePort() throws IOException {
        InetAddress address = InetAddress.getByName(DNS_ADDRESS);
        for (int attempt = 0; attempt < 20; attempt++) {
            int port;
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, 0))) {
                port = udp.getLocalPort();
            }
            try (ServerSocket tcp = new ServerSocket(port, 1, address)) {
                return port;
            } catch (IOException taken) {
                // someone has it over TCP: another
            }
        }
        throw new IOException("no port free for UDP and TCP on " + DNS_ADDRESS);
    }
}
