package io.github.jamescbv.bench;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.verify.CallbackVerifier;
import io.github.jamescbv.verify.Routed;
import io.github.jamescbv.verify.VerifierSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * Engine throughput: distinct addresses verified against a loopback MX, with a bounded
 * number in flight. Prints one line per scenario: verifications per second, wall time,
 * the threads the engine started and the peak heap. Run with bench/engine.sh.
 *
 * <p>Arguments: {@code scenario count inFlight replyDelayMs}, e.g. {@code instant 20000 500 0}
 * or {@code slow 500 500 200}. Without arguments, runs both scenarios of docs/BENCHMARKS.md.
 * {@code tls [count inFlight rounds]}: clear text against STARTTLS ({@link StartTlsBench}).
 * {@code pipelining [runs delayMs]}: one verification pipelined and not ({@link PipeliningBench}).
 */
public final class EngineBench {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("tls")) {
            StartTlsBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("pipelining")) {
            PipeliningBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length == 4) {
            run(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), Duration.ofMillis(Long.parseLong(args[3])));
            return;
        }
        run("warmup", 2000, 200, Duration.ZERO);
        run("instant", 20000, 500, Duration.ZERO);
        run("slow-200ms", 500, 500, Duration.ofMillis(200));
    }

    private static void run(String name, int count, int inFlight, Duration replyDelay) throws Exception {
        SmtpScript script = SmtpScript.standard();
        if (!replyDelay.isZero()) {
            script = script.delayEachReply(replyDelay);
        }
        try (ScriptedSmtpServer mx = ScriptedSmtpServer.start(script)) {
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            VerifierSettings settings = VerifierSettings.builder()
                .heloName("bench.example.org")
                .allowPrivateTargets(true)
                .build();
            DomainMap map = DomainMap.builder().add("bench.example", "[127.0.0.1]:" + mx.port()).build();
            resetPeakHeap();
            Map<Result, Integer> results;
            int maxEngineThreads;
            long start = System.nanoTime();
            try (CallbackVerifier verifier = CallbackVerifier.start(settings)) {
                ThreadCounter counter = new ThreadCounter(before);
                results = verifyAll(verifier, i -> Routed.target(map, "user" + i + "@bench.example"), count, inFlight,
                    i -> {
                        if (i % 250 == 0) {
                            counter.sample();
                        }
                    });
                counter.sample();
                maxEngineThreads = counter.max;
                long wallNanos = System.nanoTime() - start;
                double seconds = wallNanos / 1e9;
                System.out.printf("%-12s n=%d inFlight=%d replyDelay=%dms: %.0f verifications/s, wall %.2f s, "
                        + "engine threads %d (%s), peak heap %d MB, results %s%n",
                    name, count, inFlight, replyDelay.toMillis(), count / seconds, seconds, maxEngineThreads,
                    counter.names, peakHeapMb(), results);
            }
        }
    }

    /** What the benchmark verifies as its {@code i}-th address. */
    @FunctionalInterface
    interface Targets {
        CallbackTarget target(int i) throws InvalidAddressException;
    }

    /**
     * Verifies {@code count} targets, at most {@code inFlight} outstanding at once; {@code started}
     * hears each index as it is started.
     *
     * @return how many verdicts of each result
     */
    static Map<Result, Integer> verifyAll(CallbackVerifier verifier, Targets targets, int count, int inFlight,
                                          IntConsumer started) throws Exception {
        Semaphore window = new Semaphore(inFlight);
        List<CompletableFuture<Verdict>> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            window.acquire();
            CompletableFuture<Verdict> f = verifier.verify(targets.target(i), DialogListener.NONE, DomainFacts.NONE)
                .toCompletableFuture();
            f.whenComplete((v, e) -> window.release());
            all.add(f);
            started.accept(i);
        }
        Map<Result, Integer> results = new EnumMap<>(Result.class);
        for (CompletableFuture<Verdict> f : all) {
            results.merge(f.get(2, TimeUnit.MINUTES).result(), 1, Integer::sum);
        }
        return results;
    }

    /** Counts threads started since the baseline that are not the scripted server's. */
    private static final class ThreadCounter {
        private final Set<Thread> baseline;
        int max;
        String names = "";

        ThreadCounter(Set<Thread> baseline) {
            this.baseline = baseline;
        }

        void sample() {
            List<Thread> engine = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !baseline.contains(t) && !t.getName().startsWith("scripted-smtp"))
                .collect(Collectors.toList());
            if (engine.size() > max) {
                max = engine.size();
                names = engine.stream().map(t -> t.getName().replaceAll("\\d+$", "N")).distinct().sorted()
                    .collect(Collectors.joining(", "));
            }
        }
    }

    private static void resetPeakHeap() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum / (1024 * 1024);
    }
}
