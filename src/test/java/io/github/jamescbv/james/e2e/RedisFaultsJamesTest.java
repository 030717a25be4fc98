package io.github.jamescbv.james.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.store.shared.FailoverBudgets;
import io.github.jamescbv.store.shared.FailoverMemory;
import io.github.jamescbv.testing.TestDnsServer;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RedisPeer;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real James 3.8.1 whose handler keeps its verdicts and limits in a real Redis, and that Redis
 * failing under it while mail comes in: killed and started again, frozen (SIGSTOP) and thawed,
 * out of memory and given memory again. The promise of README "Several James nodes" checked
 * from outside: every mail is accepted and stored with its verdict, no reply is held past
 * maxWait, the node says once that it works alone and once that it shares again, and once it
 * does, verdicts land in Redis again.
 *
 * <p>Each fault lasts past one probe of the failed store (they come every
 * {@value #PROBE_EVERY_SECONDS} s), so that a probe that took a still failing Redis for a working
 * one would show as a recovery during the fault and a second WARN.
 */
@RequiresPeers(Need.REDIS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisFaultsJamesTest {
    static final String SERVER = "faults.cbv.test";
    static final String LOCAL_DOMAIN = "local.test";
    static final String BOB = "bob@" + LOCAL_DOMAIN;
    /** maxWait of redis-faults/smtpserver.xml: the longest the reply to a final "." may be held. */
    static final Duration MAX_WAIT = Duration.ofSeconds(3);
    /** Connection, greeting, EHLO and commands around the held reply, on a busy two-core machine. */
    static final Duration SLACK = Duration.ofMillis(1500);
    static final Duration TRANSACTION_BOUND = MAX_WAIT.plus(SLACK);
    /** RedisProtections.PROBE_EVERY: how often a node working alone asks Redis again. */
    static final long PROBE_EVERY_SECONDS = 5;
    static final Duration FAULT_LASTS = Duration.ofSeconds(PROBE_EVERY_SECONDS + 2);
    /** Mail keeps coming during a fault: a batch this often. */
    static final Duration BATCH_EVERY = Duration.ofMillis(700);
    /** After a fault: a probe is due within PROBE_EVERY, lettuce's reconnection backoff adds some. */
    static final Duration SHARED_AGAIN_WITHIN = Duration.ofSeconds(30);
    static final Duration GENEROUS = Duration.ofSeconds(30);

    static final String VERDICTS_ALONE = "shared verdict store unavailable, using this node's memory";
    static final String VERDICTS_BACK = "shared verdict store answers again";
    static final String LIMITS_ALONE = "shared callback limits unavailable, using this node's limits";
    static final String LIMITS_BACK = "shared callback limits answer again";

    /** Every sender's domain, mapped to the scripted MX by redis-faults/smtpserver.xml. */
    static final String SENDER_DOMAIN = "remote.example";
    static final UniqueNames NAMES = new UniqueNames();
    static final String REDIS_NAME = "redis-faults";

    @TempDir
    static Path workingDirectory;
    static RedisPeer redis;
    static CallbackRemotes remotes;
    static GuiceJamesServer james;
    static final RunningJames JAMES = new RunningJames(() -> james);
    /** The clients of a batch, each on a connection of its own at the same time. */
    static ExecutorService clients;
    /** Every thread alive before James started: ours are the others. */
    static Set<Thread> beforeJames;
    /** The pools our threads belonged to before the faults (see {@link #pool}). */
    static Set<String> poolsBefore;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisPeer.builder(REDIS_NAME).start();
        System.setProperty("cbv.it.redis", redis.uri());
        remotes = CallbackRemotes.start(new TestDnsServer());
        beforeJames = Set.copyOf(Thread.getAllStackTraces().keySet());
        james = JamesUnderTest.started(workingDirectory, "redis-faults/smtpserver.xml", BOB, "bob-secret");
        clients = Executors.newFixedThreadPool(4);
        assertVerdictsLandInRedis();
        poolsBefore = ourThreads().stream().map(RedisFaultsJamesTest::pool).collect(Collectors.toSet());
    }

    @AfterAll
    static void stop() {
        try {
            if (james != null) {
                james.stop();
            }
        } finally {
            if (clients != null) {
                clients.shutdownNow();
            }
            if (remotes != null) {
                remotes.close();
            }
            if (redis != null) {
                redis.close();
            }
            System.clearProperty("cbv.it.redis");
        }
    }

    @Test
    @Order(1)
    void redisKilledAndStartedAgainOnItsPort() throws Exception {
        int port = redis.port();
        mailFlowsThroughAFault(redis::kill, () -> {
            redis.close();
            redis = RedisPeer.builder(REDIS_NAME).port(port).start(); // empty: nothing was persisted
        });
    }

    @Test
    @Order(2)
    void redisFrozenBySigstopAndThawed() throws Exception {
        mailFlowsThroughAFault(redis::pause, redis::resume);
    }

    @Test
    @Order(3)
    void redisOutOfMemoryRefusingWritesThenGivenMemory() throws Exception {
        assertThat(redis.command("DBSIZE")).as("verdicts held before the fault").isNotEqualTo(":0");
        mailFlowsThroughAFault(() -> {
            // noeviction: Redis answers reads and refuses every write with "OOM command not allowed"
            assertThat(redis.command("CONFIG SET maxmemory-policy noeviction")).isEqualTo("+OK");
            assertThat(redis.command("CONFIG SET maxmemory 1")).isEqualTo("+OK");
        }, () -> assertThat(redis.command("CONFIG SET maxmemory 0")).isEqualTo("+OK"));
    }

    @Test
    @Order(4)
    void noThreadOfOursOutlivesJamesAfterTheFaults() {
        james.stop();
        james = null;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ourThreads()).isEmpty());
    }

    /**
     * Mail during {@code fault} (batches of new senders and one sender that comes again in every
     * batch), then after {@code lift} until the node shares again; then the checks of the class comment.
     */
    private static void mailFlowsThroughAFault(Runnable fault, Runnable lift) throws Exception {
        try (LoggedLines verdictsLog = new LoggedLines(FailoverMemory.class);
             LoggedLines limitsLog = new LoggedLines(FailoverBudgets.class)) {
            verdictsLog.attach();
            limitsLog.attach();
            List<Sent> sent = new CopyOnWriteArrayList<>();
            String repeated = newSender();

            List<String> backDuringTheFault = new ArrayList<>();
            fault.run();
            try {
                long faultStart = System.nanoTime();
                await().pollDelay(Duration.ZERO).pollInterval(BATCH_EVERY).atMost(FAULT_LASTS.plus(GENEROUS)).until(() -> {
                    sent.addAll(batch(List.of(newSender(), newSender(), newSender(), repeated)));
                    return System.nanoTime() - faultStart >= FAULT_LASTS.toNanos();
                });
                backDuringTheFault.addAll(verdictsLog.matching(l -> l.startsWith(VERDICTS_BACK)));
                backDuringTheFault.addAll(limitsLog.matching(l -> l.startsWith(LIMITS_BACK)));
            } finally {
                lift.run(); // whatever failed: the next test wants a Redis that works
            }
            // A store taken back while it still fails would fail the next mail: WARN, INFO, WARN...
            assertThat(backDuringTheFault).as("no recovery while the fault is on").isEmpty();
            // a probe comes with a mail, when one is due: mail keeps coming until both stores are shared again
            await().pollInterval(BATCH_EVERY).atMost(SHARED_AGAIN_WITHIN).until(() -> {
                sent.addAll(batch(List.of(newSender())));
                return verdictsLog.anyMatch(l -> l.startsWith(VERDICTS_BACK)) && limitsLog.anyMatch(l -> l.startsWith(LIMITS_BACK));
            });
            assertVerdictsLandInRedis();

            assertThat(verdictsLog.matching(l -> l.startsWith(VERDICTS_ALONE))).as("verdicts: fallback WARN").hasSize(1);
            assertThat(limitsLog.matching(l -> l.startsWith(LIMITS_ALONE))).as("limits: fallback WARN").hasSize(1);
            assertThat(verdictsLog.matching(l -> l.startsWith(VERDICTS_BACK))).as("verdicts: recovery INFO").hasSize(1);
            assertThat(limitsLog.matching(l -> l.startsWith(LIMITS_BACK))).as("limits: recovery INFO").hasSize(1);
            assertEveryMailStoredWithAPass(sent);
            assertThat(sent).as("transactions held no longer than maxWait and some slack")
                .allSatisfy(s -> assertThat(s.took).as(s.toString()).isLessThan(TRANSACTION_BOUND));
            assertThat(remotes.probeCount(repeated)).as("the sender of every batch, called back once").isEqualTo(1);
            assertNoThreadLeaked();
        }
    }

    /** A verdict found now lands in Redis, under the key of its address. */
    private static void assertVerdictsLandInRedis() throws Exception {
        String sender = newSender();
        Sent mail = batch(List.of(sender)).get(0);
        await().atMost(GENEROUS).untilAsserted(() -> assertThat(redis.command("EXISTS cbv:a:{" + SENDER_DOMAIN + "}:" + sender))
            .as("the verdict for %s in Redis", sender).isEqualTo(":1"));
        assertEveryMailStoredWithAPass(List.of(mail));
    }

    /** Every one of {@code sent} stored, in cbv-pass, with its attribute and a detail that names the called-back domain. */
    private static void assertEveryMailStoredWithAPass(List<Sent> sent) {
        List<StoredMail> stored = JAMES.awaitMails(sent.stream().map(s -> s.subject).collect(Collectors.toList()));
        assertThat(stored).allSatisfy(m -> {
            assertThat(m.repository).as(m.toString()).isEqualTo("cbv-pass");
            assertThat(m.result()).as(m.toString()).contains("pass");
            assertThat(m.detail()).as(m.toString()).containsEntry("domain", SENDER_DOMAIN);
        });
    }

    /** One mail from each of {@code senders}, all at once, each on a connection of its own; fails unless each gets its 250. */
    private static List<Sent> batch(List<String> senders) throws Exception {
        List<Future<Sent>> mails = new ArrayList<>();
        for (String sender : senders) {
            mails.add(clients.submit(() -> {
                String subject = NAMES.unique("subject");
                long start = System.nanoTime();
                JAMES.deliver(SERVER, sender, BOB, subject);
                return new Sent(sender, subject, Duration.ofNanos(System.nanoTime() - start));
            }));
        }
        List<Sent> sent = new ArrayList<>();
        for (Future<Sent> mail : mails) {
            sent.add(mail.get(GENEROUS.toSeconds(), TimeUnit.SECONDS));
        }
        return sent;
    }

    /** A sender that exists (the MX answers 250) and that nobody has sent from yet. */
    private static String newSender() {
        return NAMES.unique("pass") + "@" + SENDER_DOMAIN;
    }

    /**
     * A fault may let a pool start the threads it had not needed yet (a reconnection lands on the
     * Redis client's next event loop), not add a pool or a second copy of one: a second engine or
     * Redis client, made for each reconnection and never closed, would.
     */
    private static void assertNoThreadLeaked() {
        List<String> now = ourThreads();
        assertThat(now).as("no thread of ours twice").doesNotHaveDuplicates();
        assertThat(now.stream().map(RedisFaultsJamesTest::pool).collect(Collectors.toSet()))
            .as("pools of our threads, against those before the faults: " + now).isSubsetOf(poolsBefore);
    }

    /** The live threads of this James's engine and limits and of its Redis client. */
    private static List<String> ourThreads() {
        return JamesUnderTest.threadsSince(beforeJames, n -> JamesUnderTest.isEngineThread(n) || n.startsWith("lettuce-"));
    }

    /**
     * The pool of a thread: its name without the last number. Netty numbers a pool's threads
     * (cbv-smtp-2), and the Redis client's pools also by a number of their own that a new pool
     * does not share (lettuce-epollEventLoop-4-2 is of lettuce-epollEventLoop-4).
     */
    private static String pool(String thread) {
        return thread.replaceFirst("-\\d+$", "");
    }

    /** One mail as the client saw it: from connecting to the reply to its final ".". */
    private static final class Sent {
        final String sender;
        final String subject;
        final Duration took;

        Sent(String sender, String subject, Duration took) {
            this.sender = sender;
            this.subject = subject;
            this.took = took;
        }

        @Override
        public String toString() {
            return sender + " '" + subject + "' " + took.toMillis() + " ms";
        }
    }
}
