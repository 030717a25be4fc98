package io.github.jamescbv.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.core.DaemonScheduler;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.dns.DnsjavaMxResolver;
import io.github.jamescbv.smtp.NettyProbeClient;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * No leaks: 10,000 verifications through the real engine (dnsjava resolver, Netty probe client)
 * against remotes that fail in every common way leave the process with the threads and open
 * file descriptors it had before. Measured, not inferred: the engine's own threads
 * ({@code cbv-*}, the ones it started) and every descriptor in {@code /proc/self/fd}.
 *
 * <p>Two comparisons: with the engine warmed up and still open, before and after the 10,000
 * (nothing may accumulate per verification); and before the engine existed and after it is
 * closed (closing gives everything back). The numbers are printed.
 */
class EngineLeakSocketTest {
    private static final int VERIFICATIONS = 10_000;
    private static final int WARM_UP = 500;
    private static final int IN_FLIGHT = 100;
    private static final Duration SETTLE = Duration.ofSeconds(20);

    /** The failures of the mix, each with the stage its verdict must name (all are transient). */
    private enum Failing {
        REFUSED("someone@refused.test", Stage.CONNECT),
        CLOSES_AFTER_GREETING("someone@hangup.test", Stage.HELO),
        GARBAGE("garbage@remote.test", Stage.RCPT),
        GREYLISTED("grey@remote.test", Stage.RCPT),
        DNS_FAILURE("someone@dnsfail.test", Stage.DNS);

        final String address;
        final Stage stage;

        Failing(String address, Stage stage) {
            this.address = address;
            this.stage = stage;
        }
    }

    @Test
    void tenThousandFailingVerificationsLeaveNoThreadOrDescriptorBehind() throws Exception {
        Path fds = Paths.get("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to count open file descriptors");

        try (TestDnsServer dns = new TestDnsServer().start();
             ScriptedSmtpServer remote = ScriptedSmtpServer.start(SmtpScript.standard()
                 .on("RCPT", line -> SmtpScript.pathOf(line).startsWith("garbage@")
                     ? Response.raw("\u0000garbage\r\n") : Response.of("450 4.2.0 greylisted, try later")));
             ScriptedSmtpServer hangup = ScriptedSmtpServer.start(
                 SmtpScript.standard().greeting(Response.of("220 hello").thenClose()))) {
            dns.mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", "127.0.0.1").servfail("dnsfail.test");
            warmUpThenMeasure(fds, dns, remote, hangup);
        }
    }

    /** The callers' routing of the failing domains to their local peers, set with the peers' ports. */
    private DomainMap map = DomainMap.EMPTY;

    private void warmUpThenMeasure(Path fds, TestDnsServer dns, ScriptedSmtpServer remote, ScriptedSmtpServer hangup) throws Exception {
        int refusedPort = unusedPort();
        VerifierSettings settings = VerifierSettings.builder().heloName("probe.example.org")
            .dnsServers(List.of(dns.hostPort())).port(remote.port()).allowPrivateTargets(true)
            .dnsTimeout(Duration.ofSeconds(5)).commandTimeout(Duration.ofSeconds(10)).totalTimeout(Duration.ofSeconds(30))
            .build();
        map = DomainMap.builder().add("refused.test", "[127.0.0.1]:" + refusedPort)
            .add("hangup.test", "[127.0.0.1]:" + hangup.port()).build();

        // What the process opens once and keeps (classes loaded from jars, SecureRandom's
        // /dev/random and /dev/urandom) is not a leak: a first engine, run and closed, gets it done.
        Set<Thread> beforeAll = Set.copyOf(Thread.getAllStackTraces().keySet());
        try (CallbackVerifier first = engine(settings)) {
            run(first, WARM_UP);
        }
        await().atMost(SETTLE).until(() -> engineThreads(beforeAll).isEmpty());
        settle(null, remote, hangup);

        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        long fdsBefore = count(fds);

        NettyProbeClient probes = new NettyProbeClient(settings.ioThreads());
        CallbackVerifier engine = engine(settings, probes);
        try {
            measureEngine(engine, probes, fds, before, fdsBefore, remote, hangup);
        } finally {
            engine.close(); // again, if the measure failed before closing it: idempotent
        }
    }

    private void measureEngine(CallbackVerifier engine, NettyProbeClient probes, Path fds, Set<Thread> before, long fdsBefore,
                               ScriptedSmtpServer remote, ScriptedSmtpServer hangup) throws Exception {
        run(engine, WARM_UP);
        settle(probes, remote, hangup);
        Set<Thread> warmThreads = engineThreads(before);
        long fdsWarm = count(fds);
        int liveWarm = Thread.activeCount();
        long serverThreadsWarm = serverThreads();

        long start = System.nanoTime();
        Map<Failing, Integer> counts = run(engine, VERIFICATIONS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        settle(probes, remote, hangup);

        // Given a moment: the last sockets are closed asynchronously, on either side.
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(engineThreads(before)).as("engine threads").isEqualTo(warmThreads);
            assertThat(count(fds)).as("open file descriptors").isEqualTo(fdsWarm);
        });
        long fdsAfter = count(fds);
        int engineThreadsAfter = engineThreads(before).size();
        int liveAfter = Thread.activeCount();
        long serverThreadsAfter = serverThreads();

        engine.close();
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(engineThreads(before)).as("engine threads after close").isEmpty();
            assertThat(count(fds)).as("open file descriptors after close").isEqualTo(fdsBefore);
        });

        System.out.printf("leak check: %,d failing verifications in %,d ms (%s); engine threads %d -> %d (%s); "
                + "open fds %d before the engine, %d warm, %d after, %d after close; "
                + "all live threads %d -> %d, of which the test servers' pooled threads %d -> %d%n",
            VERIFICATIONS, ms, counts, warmThreads.size(), engineThreadsAfter,
            warmThreads.stream().map(Thread::getName).sorted().collect(Collectors.joining(",")),
            fdsBefore, fdsWarm, fdsAfter, count(fds), liveWarm, liveAfter, serverThreadsWarm, serverThreadsAfter);
        assertThat(warmThreads).as("the engine's own threads").isNotEmpty()
            .allMatch(t -> t.getName().startsWith("cbv-"));
        assertThat(counts.values()).allMatch(n -> n == VERIFICATIONS / Failing.values().length);
    }

    /**
     * Runs {@code n} verifications of the mix, at most {@link #IN_FLIGHT} at a time; each must be
     * transient with its failure's stage.
     *
     * @return how many of each failure
     */
    private Map<Failing, Integer> run(CallbackVerifier engine, int n) throws Exception {
        Failing[] mix = Failing.values();
        Semaphore slots = new Semaphore(IN_FLIGHT);
        Map<Failing, AtomicInteger> seen = new ConcurrentHashMap<>();
        List<String> wrong = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Verdict>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Failing f = mix[i % mix.length];
            slots.acquire();
            CompletableFuture<Verdict> v = engine.verify(Routed.target(map, f.address), DialogListener.NONE, DomainFacts.NONE).toCompletableFuture();
            all.add(v.whenComplete((verdict, error) -> {
                slots.release();
                if (error != null || verdict.result() != Result.TRANSIENT || verdict.stage() != f.stage) {
                    wrong.add(f + ": " + (error != null ? error : verdict));
                } else {
                    seen.computeIfAbsent(f, k -> new AtomicInteger()).incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(5, TimeUnit.MINUTES);
        assertThat(wrong).as("verdicts other than expected").isEmpty();
        Map<Failing, Integer> counts = new EnumMap<>(Failing.class);
        seen.forEach((f, c) -> counts.put(f, c.get()));
        return counts;
    }

    /** The real engine, as {@link CallbackVerifier#start} builds it, with this probe client. */
    private static CallbackVerifier engine(VerifierSettings settings, NettyProbeClient probes) {
        DnsjavaMxResolver resolver = new DnsjavaMxResolver(settings.dnsServers(), settings.dnsTimeout());
        DaemonScheduler timer = new DaemonScheduler("cbv-timer");
        return new CallbackVerifier(settings, resolver, probes, new TargetAddressGuard(true, List.of()), Ticker.SYSTEM, timer,
            List.of(probes, resolver, timer));
    }

    private static CallbackVerifier engine(VerifierSettings settings) {
        return engine(settings, new NettyProbeClient(settings.ioThreads()));
    }

    /** Every connection closed on both sides, and no probe still tracked by the client (if given). */
    private static void settle(NettyProbeClient probes, ScriptedSmtpServer... servers) {
        await().atMost(SETTLE).untilAsserted(() -> {
            if (probes != null) {
                assertThat(probes.openConnections()).as("client connections").isZero();
                assertThat(probes.probesInFlight()).as("probes in flight").isZero();
            }
            for (ScriptedSmtpServer s : servers) {
                assertThat(s.openConnectionCount()).as("open on %s", s).isZero();
            }
        });
    }

    /** The engine's threads: named cbv-*, alive, and not there before it was built. */
    private static Set<Thread> engineThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("cbv-") && !before.contains(t))
            .collect(Collectors.toSet());
    }

    /** Threads of the scripted servers (one per connection, pooled): the test's, not the engine's. */
    private static long serverThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("scripted-smtp-")).count();
    }

    private static long count(Path fds) {
        try (Stream<Path> s = Files.list(fds)) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
