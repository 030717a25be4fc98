package io.github.jamescbv.bench;

import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestTls;
import io.github.jamescbv.verify.CallbackVerifier;
import io.github.jamescbv.verify.Routed;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Clear text against STARTTLS, in one run, on one engine ({@code tls may}, the default): the same
 * scripted remote without STARTTLS, with it, and with it at an address the engine has never
 * seen, round after round. Prints verifications per second at {@code inFlight}, the engine's CPU
 * time per verification (its threads only: the remote runs in this JVM too, and its half of each
 * handshake, printed apart, is someone else's cost on the Internet), and the latency of one
 * verification alone.
 * The difference to clear text is the cost of a handshake. Run with {@code bench/engine.sh tls}.
 *
 * <ul>
 * <li>{@code clear}: the remote does not offer STARTTLS.</li>
 * <li>{@code tls-same}: it does, always at 127.0.0.1: the engine's TLS context may resume a
 *     session it had with that address (as for a mail host it asked a moment ago).</li>
 * <li>{@code tls-new}: it does, each verification at another loopback address (the remote
 *     listens on all of them): nothing to resume, a whole handshake each time (as for a mail
 *     host asked for the first time).</li>
 * </ul>
 *
 * <p>Arguments: {@code count inFlight rounds}, default {@code 5000 100 3}. The remote's
 * certificate is {@link TestTls}'s: RSA 2048, self-signed.
 */
public final class StartTlsBench {
    private static final int LATENCY_COUNT = 300;

    /** The next never-used loopback address for {@code tls-new}: 127.1.0.1 onwards. */
    private int nextAddress;

    private StartTlsBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        new StartTlsBench().run(count, inFlight, rounds);
    }

    private enum Scenario { CLEAR, TLS_SAME, TLS_NEW }

    private void run(int count, int inFlight, int rounds) throws Exception {
        try (ScriptedSmtpServer clear = ScriptedSmtpServer.start("0.0.0.0", 0, SmtpScript.standard());
             ScriptedSmtpServer tls = ScriptedSmtpServer.start("0.0.0.0", 0, SmtpScript.standard().offeringStartTls());
             CallbackVerifier engine = CallbackVerifier.start(VerifierSettings.builder().heloName("bench.example.org")
                 .allowPrivateTargets(true).commandTimeout(Duration.ofSeconds(30)).totalTimeout(Duration.ofMinutes(2))
                 .build())) {
            Map<Scenario, ScriptedSmtpServer> remotes = Map.of(Scenario.CLEAR, clear, Scenario.TLS_SAME, tls,
                Scenario.TLS_NEW, tls);
            // Warm-up, not printed: a whole round, and the JIT still finds more to do in the TLS code after it.
            for (Scenario s : Scenario.values()) {
                measure(engine, s, remotes.get(s), count, inFlight);
            }
            Map<Scenario, List<double[]>> all = new LinkedHashMap<>();
            for (int r = 1; r <= rounds; r++) {
                for (Scenario s : Scenario.values()) {
                    double[] m = measure(engine, s, remotes.get(s), count, inFlight);
                    all.computeIfAbsent(s, k -> new ArrayList<>()).add(m);
                    System.out.printf("round %d %-9s n=%d inFlight=%d: %.0f verifications/s, engine CPU %.0f us per "
                        + "verification (the remote's %.0f us)%n", r, name(s), count, inFlight, m[0], m[1], m[2]);
                }
            }
            Map<Scenario, Double> latency = new LinkedHashMap<>();
            for (Scenario s : Scenario.values()) {
                double[] m = measure(engine, s, remotes.get(s), LATENCY_COUNT, 1);
                latency.put(s, 1000.0 / m[0]);
            }
            summary(all, latency);
        }
    }

    /** @return verifications per second, and the engine's and the remote's CPU microseconds per verification */
    private double[] measure(CallbackVerifier engine, Scenario s, ScriptedSmtpServer remote, int count, int inFlight)
        throws Exception {
        DomainMap map = map(s, remote, count);
        CpuUse before = CpuUse.snapshot();
        long start = System.nanoTime();
        Map<Result, Integer> results = EngineBench.verifyAll(engine,
            i -> Routed.target(map, "user" + i + "@d" + i + ".bench.example"), count, inFlight, i -> { });
        long wall = System.nanoTime() - start;
        Map<CpuUse.Owner, Long> cpu = CpuUse.snapshot().since(before);
        if (results.getOrDefault(Result.PASS, 0) != count) {
            throw new IllegalStateException(name(s) + ": not every verification passed: " + results);
        }
        return new double[] {count / (wall / 1e9), cpu.get(CpuUse.Owner.ENGINE) / 1e3 / count,
            cpu.get(CpuUse.Owner.REMOTES) / 1e3 / count};
    }

    /** Each verification's domain to the remote: at 127.0.0.1, or for tls-new at an address of its own. */
    private DomainMap map(Scenario s, ScriptedSmtpServer remote, int count) {
        DomainMap.Builder b = DomainMap.builder();
        for (int i = 0; i < count; i++) {
            String host = s == Scenario.TLS_NEW ? freshLoopbackAddress() : "127.0.0.1";
            b.add("d" + i + ".bench.example", "[" + host + "]:" + remote.port());
        }
        return b.build();
    }

    private String freshLoopbackAddress() {
        int n = nextAddress++;
        return "127." + (1 + n / 62_500) + "." + (n / 250 % 250) + "." + (n % 250 + 1);
    }

    private static void summary(Map<Scenario, List<double[]>> all, Map<Scenario, Double> latency) {
        double clearCpu = median(all.get(Scenario.CLEAR), 1);
        System.out.println("medians:");
        for (Map.Entry<Scenario, List<double[]>> e : all.entrySet()) {
            Scenario s = e.getKey();
            double cpu = median(e.getValue(), 1);
            System.out.printf("  %-9s %.0f verifications/s, engine CPU %.0f us per verification (%s; the remote's %.0f us), "
                    + "one alone %.2f ms%n", name(s), median(e.getValue(), 0), cpu,
                s == Scenario.CLEAR ? "base" : String.format("+%.0f us a handshake", cpu - clearCpu),
                median(e.getValue(), 2), latency.get(s));
        }
    }

    private static double median(List<double[]> runs, int field) {
        double[] values = runs.stream().mapToDouble(m -> m[field]).sorted().toArray();
        return values[values.length / 2];
    }

    private static String name(Scenario s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
