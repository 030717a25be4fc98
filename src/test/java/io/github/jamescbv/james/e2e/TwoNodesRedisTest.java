package io.github.jamescbv.james.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.ConfDirectory;
import io.github.jamescbv.testing.TestDnsServer;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RedisPeer;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real James 3.8.1 nodes in this JVM, each with its own working directory and SMTP port
 * ({@code nodes/smtpserver.xml}), whose handlers share one real redis-server and call back one
 * scripted MX found through a test DNS server. What Redis must make of them: one careful server.
 * Each test says what two nodes with their own memory would do instead; that is what makes its
 * assertions able to fail.
 *
 * <p>How two James share one JVM: {@link JamesNode}.
 *
 * <p>Each test sends from a loopback address of its own, so that no test's new callbacks count
 * against another's client budget ({@code perClientRate} 5).
 */
@RequiresPeers(Need.REDIS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoNodesRedisTest {
    static final String BOB = JamesNode.RECIPIENT;
    /** Sender domains, each with an MX record at the test DNS: the scripted MX, on 127.0.0.1. */
    static final String DOMAIN = "nodes.example";
    static final String RATED = "rated.example";
    static final String CLIENT_ONE = "client-one.example";
    static final String CLIENT_TWO = "client-two.example";
    /** perDomainRate and perClientRate of nodes/smtpserver.xml. */
    static final int DOMAIN_RATE = 3;
    static final int CLIENT_RATE = 5;
    static final Duration GENEROUS = Duration.ofSeconds(30);
    static final UniqueNames NAMES = new UniqueNames();

    @TempDir
    static Path workingDirectories;
    static RedisPeer redis;
    static CallbackRemotes remotes;
    static JamesNode a;
    static JamesNode b;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisPeer.builder("redis-two-nodes").start();
        System.setProperty("cbv.it.redis", redis.uri());
        TestDnsServer records = new TestDnsServer().a("mx.nodes.example", "127.0.0.1");
        for (String domain : List.of(DOMAIN, RATED, CLIENT_ONE, CLIENT_TWO)) {
            records.mx(domain, 10, "mx.nodes.example");
        }
        remotes = CallbackRemotes.start(records);
        String smtpServers = ConfDirectory.resource("nodes/smtpserver.xml");
        a = new JamesNode("node-a", workingDirectories, smtpServers);
        b = new JamesNode("node-b", workingDirectories, smtpServers);
        a.start();
        b.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (JamesNode node : Arrays.asList(a, b)) {
                if (node != null) {
                    node.stop();
                }
            }
        } finally {
            if (remotes != null) {
                remotes.close();
            }
            if (redis != null) {
                redis.close();
            }
        }
    }

    @Test
    @Order(1)
    void fiftyMessagesFromOneForgedSenderOverBothNodesMakeOneCallback() throws Exception {
        // First, right after the nodes started: their first Redis calls must already be shared.
        // held*: the MX holds its reply to RCPT TO until released, so that every message of both
        // nodes asks while the one callback is under way.
        String sender = NAMES.unique("held-forged") + "@" + DOMAIN;
        long rcptsBefore = rcptsAt(remotes);
        List<JamesNode> nodes = new ArrayList<>();
        List<Callable<SmtpClient>> connections = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            JamesNode node = i % 2 == 0 ? a : b;
            nodes.add(node);
            connections.add(() -> node.james.connect(node.hello));
        }
        try (MailFromBurst burst = MailFromBurst.start(sender, BOB, connections, NAMES, GENEROUS)) {
            await().atMost(GENEROUS).until(() -> remotes.sawRcpt(sender));
            assertThat(redis.command("EXISTS cbv:c:{" + DOMAIN + "}:" + sender)).as("the callback is claimed in Redis").isEqualTo(":1");
            remotes.release(sender);
            await().atMost(GENEROUS).until(() -> remotes.probeOf(sender).quitReceived());

            List<String> subjects = burst.finish();
            Map<JamesNode, List<String>> subjectsByNode = new HashMap<>();
            for (int i = 0; i < subjects.size(); i++) {
                subjectsByNode.computeIfAbsent(nodes.get(i), n -> new ArrayList<>()).add(subjects.get(i));
            }
            Map<JamesNode, Set<String>> cachedByNode = new HashMap<>();
            for (JamesNode node : List.of(a, b)) {
                List<StoredMail> stored = node.james.awaitMails(subjectsByNode.get(node));
                assertThat(stored).hasSize(25).allSatisfy(m -> {
                    assertThat(m.result()).as(m.toString()).contains("pass");
                    assertThat(m.detail()).containsEntry("code", "250").containsEntry("domain", DOMAIN);
                });
                cachedByNode.put(node, stored.stream().map(m -> m.detail().get("cached")).collect(Collectors.toSet()));
            }
            // Each node with its own memory would call back once itself: 2 connections.
            assertThat(rcptsAt(remotes) - rcptsBefore).as("callbacks (RCPT TOs) at the MX").isEqualTo(1);
            assertThat(remotes.probeCount(sender)).isEqualTo(1);
            // One node made the callback, and every message it received joined it; every message
            // of the other node was answered from that verdict, read from Redis.
            assertThat(List.of(cachedByNode.get(a), cachedByNode.get(b)))
                .containsExactlyInAnyOrder(Set.of("false"), Set.of("true"));
        } finally {
            // Failed before the release, the held callbacks would fill the domain's slots for the next tests.
            remotes.release(sender);
        }
    }

    @Test
    @Order(2)
    void thePerDomainRateHoldsAcrossBothNodes() throws Exception {
        String client = "127.0.0.12";
        long rcptsBefore = rcptsAt(remotes);
        List<String> senders = new ArrayList<>();
        List<StoredMail> mails = new ArrayList<>();
        for (int i = 0; i < DOMAIN_RATE + 2; i++) {
            // A, B, A, B, A: with a rate of its own, neither node would reach 3 within five messages
            // (A would call back all three of its senders, B both of its).
            JamesNode node = i % 2 == 0 ? a : b;
            senders.add(NAMES.unique("sender") + "@" + RATED);
            mails.add(node.deliver(client, senders.get(i), NAMES));
        }

        assertThat(mails.subList(0, DOMAIN_RATE)).allSatisfy(m ->
            assertThat(m.detail()).as(m.toString()).containsEntry("result", "pass").containsEntry("cached", "false"));
        assertThat(mails.subList(DOMAIN_RATE, mails.size())).allSatisfy(m -> assertThat(m.detail()).as(m.toString())
            .containsEntry("result", "transient")
            .containsEntry("stage", "policy")
            .containsEntry("text", "domain " + RATED + ": rate of " + DOMAIN_RATE + " per minute reached"));
        assertThat(senders.stream().map(remotes::probeCount).collect(Collectors.toList()))
            .as("callbacks that reached the MX, by sender")
            .containsExactly(1L, 1L, 1L, 0L, 0L);
        assertThat(rcptsAt(remotes) - rcptsBefore).as("callbacks (RCPT TOs) at the MX").isEqualTo(DOMAIN_RATE);
    }

    @Test
    @Order(3)
    void aClientOverItsRateOnOneNodeIsOverItOnTheOther() throws Exception {
        String client = "127.0.0.13";
        long rcptsBefore = rcptsAt(remotes);
        // Over two sender domains, so that the client's rate is reached before any domain's.
        for (int i = 0; i < CLIENT_RATE; i++) {
            String sender = NAMES.unique("sender") + "@" + (i < DOMAIN_RATE ? CLIENT_ONE : CLIENT_TWO);
            assertThat(a.deliver(client, sender, NAMES).result()).contains("pass");
        }
        String overOnA = NAMES.unique("sender") + "@" + CLIENT_TWO;
        String overOnB = NAMES.unique("sender") + "@" + CLIENT_TWO;
        StoredMail onA = a.deliver(client, overOnA, NAMES);
        // B has seen no callback of this client: with a budget of its own, this one would pass.
        StoredMail onB = b.deliver(client, overOnB, NAMES);

        String over = "client " + client + " exceeded " + CLIENT_RATE + " new callbacks per minute";
        for (StoredMail m : List.of(onA, onB)) {
            assertThat(m.detail()).as(m.toString())
                .containsEntry("result", "transient")
                .containsEntry("stage", "policy")
                .containsEntry("text", over);
        }
        assertThat(rcptsAt(remotes) - rcptsBefore).as("callbacks (RCPT TOs) at the MX").isEqualTo(CLIENT_RATE);
    }

    /** Last: it replaces both nodes by new James instances. */
    @Test
    @Order(4)
    void aVerdictOutlivesARestartOfBothNodes() throws Exception {
        String sender = NAMES.unique("restart") + "@" + DOMAIN;
        assertThat(a.deliver("127.0.0.1", sender, NAMES).detail()).containsEntry("result", "pass").containsEntry("cached", "false");
        assertThat(redis.command("EXISTS cbv:a:{" + DOMAIN + "}:" + sender)).isEqualTo(":1");
        long rcptsBefore = rcptsAt(remotes);

        a.stop();
        b.stop();
        a.start();
        b.start();

        // New James instances: a new runtime, an empty near-cache, an empty memory of their own.
        // Without Redis they would have forgotten the sender and called it back again.
        for (JamesNode node : List.of(a, b)) {
            StoredMail again = node.deliver("127.0.0.1", sender, NAMES);
            assertThat(again.detail()).as(again.toString()).containsEntry("result", "pass").containsEntry("cached", "true");
        }
        assertThat(rcptsAt(remotes)).as("callbacks (RCPT TOs) at the MX").isEqualTo(rcptsBefore);
    }

    /** RCPT TOs the MX has heard: one per callback that reached it (connections do not say: a node keeps them for the next). */
    private static long rcptsAt(CallbackRemotes remotes) {
        return remotes.mx.connections().stream().flatMap(c -> c.verbs().stream()).filter("RCPT"::equals).count();
    }
}
