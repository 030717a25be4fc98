package io.github.jamescbv.bench;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.smtp.TlsPolicy;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.verify.CallbackVerifier;
import io.github.jamescbv.verify.Routed;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Pipelining (RFC 2920) against one command at a time, in one run: the cold time of one
 * verification (no cache: the engine alone, one at a time, a domain never asked before) against
 * a scripted remote that announces PIPELINING, pipelined and not, alternately, run after run.
 * Prints the median and the spread of each. Run with {@code bench/engine.sh pipelining}.
 *
 * <ul>
 * <li>{@code far}: the remote is {@code delayMs} away ({@link SmtpScript#latency}): each reply
 *     leaves that long after its command arrived, so a pipelined group costs one wait. The
 *     case pipelining is for: a round trip over the Internet.</li>
 * <li>{@code far+checks}: the same with the catch-all and postmaster checks, one transaction
 *     each after the pass (RSET, MAIL FROM, RCPT TO: three waits one at a time, one pipelined).</li>
 * <li>{@code slow}: the remote is near but thinks {@code delayMs} before each reply
 *     ({@link SmtpScript#delayEachReply}), one command after the other: pipelining cannot save
 *     what the server spends, only what the network does. The control.</li>
 * </ul>
 *
 * <p>Arguments: {@code runs delayMs}, default {@code 20 50}.
 */
public final class PipeliningBench {

    private PipeliningBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Duration delay = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 50);
        System.out.printf("cold time of one verification, remote %d ms per reply, %d runs each, alternating%n",
            delay.toMillis(), runs);
        scenario("far", SmtpScript.standard().latency(delay), false, runs);
        scenario("far+checks", SmtpScript.standard().latency(delay), true, runs);
        scenario("slow", SmtpScript.standard().delayEachReply(delay), false, runs);
    }

    private static void scenario(String name, SmtpScript script, boolean checks, int runs) throws Exception {
        try (ScriptedSmtpServer remote = ScriptedSmtpServer.start(script);
             CallbackVerifier pipelined = engine(true, checks);
             CallbackVerifier oneByOne = engine(false, checks)) {
            String route = "[127.0.0.1]:" + remote.port();
            // Warm-up, not counted: the JIT, and the first connection's costs.
            for (int i = 0; i < 5; i++) {
                once(pipelined, route, "w" + i);
                once(oneByOne, route, "w" + i);
            }
            List<Double> on = new ArrayList<>();
            List<Double> off = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                // Alternating, and each side first half the time: a drift of the machine touches both alike.
                if (i % 2 == 0) {
                    on.add(once(pipelined, route, "p" + i));
                    off.add(once(oneByOne, route, "o" + i));
                } else {
                    off.add(once(oneByOne, route, "o" + i));
                    on.add(once(pipelined, route, "p" + i));
                }
            }
            double medOn = median(on);
            double medOff = median(off);
            System.out.printf("  %-10s pipelined %6.1f ms (%.1f-%.1f), one at a time %6.1f ms (%.1f-%.1f): %.1f ms saved%n",
                name, medOn, min(on), max(on), medOff, min(off), max(off), medOff - medOn);
        }
    }

    private static CallbackVerifier engine(boolean pipelining, boolean checks) {
        return CallbackVerifier.start(VerifierSettings.builder().heloName("bench.example.org").allowPrivateTargets(true)
            .tls(TlsPolicy.NONE).pipelining(pipelining).randomCheck(checks)
            .postmasterCheck(checks).build());
    }

    /** One verification of a domain never asked before, routed to the remote; its wall time in ms. */
    private static double once(CallbackVerifier engine, String route, String id) throws Exception {
        String domain = id + ".bench.example";
        DomainMap map = DomainMap.builder().add(domain, route).build();
        long start = System.nanoTime();
        Verdict v = engine.verify(Routed.target(map, "user@" + domain), DialogListener.NONE, DomainFacts.NONE)
            .toCompletableFuture().get(1, TimeUnit.MINUTES);
        double ms = (System.nanoTime() - start) / 1e6;
        if (v.result() != Result.PASS) {
            throw new IllegalStateException("not a pass: " + v);
        }
        return ms;
    }

    private static double median(List<Double> values) {
        return values.stream().sorted().skip(values.size() / 2).findFirst().orElseThrow();
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }
}
