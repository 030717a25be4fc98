package io.github.jamescbv.soak;

import io.github.jamescbv.soak.SoakSenders.Sender;
import io.github.jamescbv.testing.peers.PostfixLog.SmtpdSession;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.james.lifecycle.api.Disposable;

/**
 * One bounded soak run: real remotes ({@link SoakRemotes}), a real James with our handler
 * ({@link SoakJames}), mail from the real smtp-source ({@link SmtpSourceFleet}). A warm-up pool of
 * senders first (JIT, caches, James's lazily built parts), then the heap is measured, then the
 * run's own pool, then the heap again and the checks of {@link SoakReport}.
 */
public final class SoakRun {
    static final String LOCAL_DOMAIN = "local.soak.test";
    static final String RECIPIENT = "bob@" + LOCAL_DOMAIN;
    private static final Duration SETTLE_LIMIT = Duration.ofMinutes(3);

    /** What to run. */
    public static final class Settings {
        int messages = 20_000;
        int messagesPerSender = 10;
        int warmUpMessages = 2_000;
        int processes = 10;
        int sessionsPerProcess = 5;
        Path workDirectory = Path.of("target", "soak");

        public Settings messages(int n) {
            this.messages = n;
            return this;
        }

        public Settings warmUpMessages(int n) {
            this.warmUpMessages = n;
            return this;
        }

        public Settings messagesPerSender(int n) {
            this.messagesPerSender = n;
            return this;
        }

        /** {@code processes} smtp-source processes side by side, each with {@code sessions} parallel sessions. */
        public Settings concurrency(int processes, int sessions) {
            this.processes = processes;
            this.sessionsPerProcess = sessions;
            return this;
        }

        public Settings workDirectory(Path dir) {
            this.workDirectory = dir;
            return this;
        }

        int connections() {
            return processes * sessionsPerProcess;
        }
    }

    private SoakRun() {
    }

    /** Runs it all and stops everything it started; the report says whether the checks held. */
    public static SoakReport run(Settings s, PrintStream progress) throws Exception {
        SoakSenders warm = SoakSenders.generate("w", Math.max(SenderGroup.values().length, s.warmUpMessages / s.messagesPerSender), 61);
        SoakSenders main = SoakSenders.generate("m", s.messages / s.messagesPerSender, 6);
        List<Sender> everyone = new ArrayList<>(warm.all());
        everyone.addAll(main.all());
        Path work = s.workDirectory.toAbsolutePath();
        deleteTree(work);

        SoakReport.Builder report = new SoakReport.Builder(s, main);
        // James reports a resource never disposed of when the collector has found it and James next
        // polls for such (creating another): resources that earlier tests in this JVM left are
        // reported now, before the capture of this run's log begins.
        HeapGauge.afterGc();
        Disposable.LeakAware.track();
        try (SoakRemotes remotes = SoakRemotes.start(everyone);
             JamesLog log = JamesLog.capture(work.resolve("james.log"))) {
            progress.printf("remotes up: dnsmasq %s, Postfix %s%n", remotes.dns.server(),
                remotes.postfixes.stream().map(p -> p.name() + "@" + p.address()).reduce((a, b) -> a + ", " + b).orElse(""));
            try (SoakJames james = SoakJames.start(work.resolve("james"))) {
                james.addDomainAndUser(LOCAL_DOMAIN, RECIPIENT);
                SmtpSourceFleet fleet = new SmtpSourceFleet("127.0.0.1", james.smtpPort(), RECIPIENT,
                    s.processes, s.sessionsPerProcess, work.resolve("smtp-source"));

                SmtpSourceFleet.Outcome warmUp = fleet.send(warm.all(), s.messagesPerSender, progress);
                progress.printf("warm-up: %d messages accepted from %d senders in %.1f s%n",
                    warmUp.accepted, warm.all().size(), warmUp.elapsed.toMillis() / 1000.0);
                awaitSettled(james, warmUp.accepted);
                Map<String, Integer> sessionsBefore = counts(settledSessions(remotes));
                HeapGauge.Reading before = HeapGauge.afterGc();
                progress.printf("heap before: %.1f MiB%n", before.mib());

                SmtpSourceFleet.Outcome run = fleet.send(main.all(), s.messagesPerSender, progress);
                progress.printf("run: %d messages accepted in %.1f s%n", run.accepted, run.elapsed.toMillis() / 1000.0);
                Duration settle = awaitSettled(james, warmUp.accepted + run.accepted);
                HeapGauge.Reading after = HeapGauge.afterGc();
                progress.printf("heap after: %.1f MiB%n", after.mib());
                // Whatever this run left undisposed and those collections freed is reported into the log checked.
                Disposable.LeakAware.track();

                report.warmUp(warmUp).run(run, settle).heap(before, after)
                    .callbacks(sessionsBefore, settledSessions(remotes))
                    .stored(james.storedMails(), james.repositoryCounts())
                    .jamesLog(log);
            }
        }
        return report.build();
    }

    /**
     * Waits until the spool is empty and the repositories hold {@code expected} mails (or the
     * limit passes: the checks then show what is missing); how long that took.
     */
    private static Duration awaitSettled(SoakJames james, long expected) throws InterruptedException {
        long start = System.nanoTime();
        await(() -> {
            try {
                return james.spoolSize() == 0 && james.repositoryCounts().values().stream().mapToLong(Long::longValue).sum() >= expected;
            } catch (Exception e) {
                throw new IllegalStateException("reading James's spool and repositories", e);
            }
        }, SETTLE_LIMIT);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Postfix logs asynchronously: its sessions, once every one has ended and their numbers hold still. */
    private static Map<String, List<SmtpdSession>> settledSessions(SoakRemotes remotes) throws InterruptedException {
        Map<String, Integer> last = Map.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Map<String, List<SmtpdSession>> now = remotes.sessions();
            boolean allEnded = now.values().stream().flatMap(List::stream).allMatch(x -> x.disconnect().isPresent());
            if ((allEnded && counts(now).equals(last)) || System.nanoTime() > deadline) {
                return now;
            }
            last = counts(now);
            Thread.sleep(500);
        }
    }

    private static Map<String, Integer> counts(Map<String, List<SmtpdSession>> sessions) {
        Map<String, Integer> counts = new HashMap<>();
        sessions.forEach((peer, list) -> counts.put(peer, list.size()));
        return counts;
    }

    private static void await(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
