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
import io.github.jamescbv.smtp.TlsPolicy;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 *
 * <p>Twice: remotes failing in clear text, and remotes whose STARTTLS fails in every way (refused,
 * stalled, answered in clear text, cut half way), each asked again in clear text under
 * {@code tls may}, beside TLS sessions that work: TLS handlers, engines and buffers must go with
 * their connections too.
 */
class EngineLeakSocketTest {
    private static final int VERIFICATIONS = 10_000;
    private static final int WARM_UP = 500;
    private static final int IN_FLIGHT = 100;
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final String GREYLISTED = "450 4.2.0 greylisted, try later";

    /** One failure of a mix: the address that meets it, and the stage and TLS state its (transient) verdict must name. */
    private static final class Failing {
        final String name;
        final String address;
        final Stage stage;
        /** What the verdict's {@code tls} matches. */
        final String tls;

        Failing(String name, String address, Stage stage, String tls) {
            this.name = name;
            this.address = address;
            this.stage = stage;
            this.tls = tls;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The callers' routing of the failing domains to their local peers, set with the peers' ports. */
    private DomainMap map = DomainMap.EMPTY;
    private List<Failing> mix = List.of();

    @Test
    void tenThousandFailingVerificationsLeaveNoThreadOrDescriptorBehind() throws Exception {
        Path fds = Paths.get("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to count open file descriptors");

        try (TestDnsServer dns = new TestDnsServer().start();
             ScriptedSmtpServer remote = ScriptedSmtpServer.start(SmtpScript.standard()
                 .on("RCPT", line -> SmtpScript.pathOf(line).startsWith("garbage@")
                     ? Response.raw("\u0000garbage\r\n") : Response.of(GREYLISTED)));
             ScriptedSmtpServer hangup = ScriptedSmtpServer.start(
                 SmtpScript.standard().greeting(Response.of("220 hello").thenClose()))) {
            dns.mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", "127.0.0.1").servfail("dnsfail.test");
            map = DomainMap.builder().add("refused.test", "[127.0.0.1]:" + unusedPort())
                .add("hangup.test", "[127.0.0.1]:" + hangup.port()).build();
            mix = List.of(
                new Failing("refused", "someone@refused.test", Stage.CONNECT, ""),
                new Failing("closes after greeting", "someone@hangup.test", Stage.HELO, "none"),
                new Failing("garbage", "garbage@remote.test", Stage.RCPT, "none"),
                new Failing("greylisted", "grey@remote.test", Stage.RCPT, "none"),
                new Failing("dns failure", "someone@dnsfail.test", Stage.DNS, ""));
            warmUpThenMeasure(fds, settings(dns, remote).commandTimeout(Duration.ofSeconds(10)).build(), remote, hangup);
        }
    }

    @Test
    void tenThousandFailingStartTlsLeaveNoThreadOrDescriptorBehind() throws Exception {
        Path fds = Paths.get("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux) to count open file descriptors");
        // After our hello has had time to come, as a server that does not speak TLS would answer it.
        Duration helloCame = Duration.ofMillis(50);
        byte[] halfAServerHello = {0x16, 0x03, 0x03, 0x00, 0x5a, 0x02, 0x00, 0x00, 0x56, 0x03, 0x03, 0x11};

        try (TestDnsServer dns = new TestDnsServer().start();
             ScriptedSmtpServer refused = greylisting(Response.of("454 4.7.0 TLS not available"));
             ScriptedSmtpServer silent = greylisting(Response.of("220 2.0.0 go ahead").thenSilence());
             ScriptedSmtpServer clear = greylisting(Response.of("220 2.0.0 go ahead")
                 .then(Response.raw("500 5.5.1 what?\r\n").after(helloCame)).thenSilence());
             ScriptedSmtpServer cut = greylisting(Response.of("220 2.0.0 go ahead")
                 .then(Response.raw(halfAServerHello).after(helloCame)).thenClose());
             ScriptedSmtpServer working = greylisting(Response.of("220 2.0.0 go ahead").then(Response.startTls()))) {
            dns.servfail("dnsfail.test");
            map = DomainMap.builder().add("refused.test", "[127.0.0.1]:" + refused.port())
                .add("silent.test", "[127.0.0.1]:" + silent.port()).add("clear.test", "[127.0.0.1]:" + clear.port())
                .add("cut.test", "[127.0.0.1]:" + cut.port()).add("working.test", "[127.0.0.1]:" + working.port()).build();
            // Each greylisted in the end: in clear text after its retry, or inside TLS.
            mix = List.of(askedAgainInClear("STARTTLS refused", "refused.test"),
                askedAgainInClear("silent after 220", "silent.test"), askedAgainInClear("clear text for TLS", "clear.test"),
                askedAgainInClear("cut half way", "cut.test"),
                new Failing("greylisted inside TLS", "someone@working.test", Stage.RCPT, "TLSv1\\.[23] TLS_\\w+"));
            // The silent ones each wait for commandTimeout before their clear-text retry: short, not too short for
            // a cold JVM doing a hundred RSA handshakes at once on both sides.
            VerifierSettings settings = settings(dns, working).tls(TlsPolicy.MAY).commandTimeout(Duration.ofSeconds(2))
                .build();
            warmUpThenMeasure(fds, settings, refused, silent, clear, cut, working);
        }
    }

    private static Failing askedAgainInClear(String name, String domain) {
        return new Failing(name, "someone@" + domain, Stage.RCPT, Verdict.NO_TLS);
    }

    /** A remote offering STARTTLS, answering it so, and greylisting every RCPT (in clear text after a retry, or in TLS). */
    private static ScriptedSmtpServer greylisting(Response startTls) {
        return ScriptedSmtpServer.start(SmtpScript.standard().offeringStartTls().on("STARTTLS", startTls)
            .on("RCPT", GREYLISTED));
    }

    private static VerifierSettings.Builder settings(TestDnsServer dns, ScriptedSmtpServer remote) {
        return VerifierSettings.builder().heloName("probe.example.org")
            .dnsServers(List.of(dns.hostPort())).port(remote.port()).allowPrivateTargets(true)
            .dnsTimeout(Duration.ofSeconds(5)).totalTimeout(Duration.ofSeconds(30));
    }

    private void warmUpThenMeasure(Path fds, VerifierSettings settings, ScriptedSmtpServer... servers) throws Exception {
        // What the process opens once and keeps (classes loaded from jars, SecureRandom's
        // /dev/random and /dev/urandom) is not a leak: a first engine, run and closed, gets it done.
        Set<Thread> beforeAll = Set.copyOf(Thread.getAllStackTraces().keySet());
        try (CallbackVerifier first = engine(settings)) {
            run(first, WARM_UP);
        }
        await().atMost(SETTLE).until(() -> engineThreads(beforeAll).isEmpty());
        settle(null, servers);

        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        long fdsBefore = count(fds);

        NettyProbeClient probes = new NettyProbeClient(settings.ioThreads());
        CallbackVerifier engine = engine(settings, probes);
        try {
            measureEngine(engine, probes, fds, before, fdsBefore, servers);
        } finally {
            engine.close(); // again, if the measure failed before closing it: idempotent
        }
    }

    private void measureEngine(CallbackVerifier engine, NettyProbeClient probes, Path fds, Set<Thread> before, long fdsBefore,
                               ScriptedSmtpServer... servers) throws Exception {
        run(engine, WARM_UP);
        settle(probes, servers);
        Set<Thread> warmThreads = engineThreads(before);
        long fdsWarm = count(fds);
        int liveWarm = Thread.activeCount();
        long serverThreadsWarm = serverThreads();

        long start = System.nanoTime();
        Map<String, Integer> counts = run(engine, VERIFICATIONS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        settle(probes, servers);

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
        assertThat(counts.values()).allMatch(n -> n == VERIFICATIONS / mix.size());
    }

    /**
     * Runs {@code n} verifications of the mix, at most {@link #IN_FLIGHT} at a time; each must be
     * transient with its failure's stage and TLS state.
     *
     * @return how many of each failure, by name
     */
    private Map<String, Integer> run(CallbackVerifier engine, int n) throws Exception {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        List<String> wrong = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Verdict>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Failing f = mix.get(i % mix.size());
            slots.acquire();
            CompletableFuture<Verdict> v = engine.verify(Routed.target(map, f.address), DialogListener.NONE, DomainFacts.NONE).toCompletableFuture();
            all.add(v.whenComplete((verdict, error) -> {
                slots.release();
                if (error != null || verdict.result() != Result.TRANSIENT || verdict.stage() != f.stage
                    || !verdict.tls().matches(f.tls)) {
                    wrong.add(f + ": " + (error != null ? error : verdict));
                } else {
                    seen.computeIfAbsent(f.name, k -> new AtomicInteger()).incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(5, TimeUnit.MINUTES);
        assertThat(wrong).as("verdicts other than expected").isEmpty();
        Map<String, Integer> counts = new TreeMap<>();
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
