package io.github.jamescbv.soak;

import io.github.jamescbv.soak.SoakJames.StoredMail;
import io.github.jamescbv.soak.SoakSenders.Sender;
import io.github.jamescbv.testing.peers.PostfixLog.SmtpdSession;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers of a soak run and its three checks: nothing lost (every message smtp-source got
 * accepted was spooled by James and is stored with its verdict attribute), the heap after the
 * run within 10% of before, and no ERROR in James's log.
 */
public final class SoakReport {
    static final double HEAP_TOLERANCE = 0.10;
    private static final List<String> VERDICT_REPOSITORIES = List.of("cbv-pass", "cbv-error", "cbv-transient");

    // what was run
    int plannedMessages;
    int senders;
    int messagesPerSender;
    int connections;
    // smtp-source
    long warmUpAccepted;
    long accepted;
    long failedProcesses;
    List<String> sendFailures = List.of();
    Duration elapsed = Duration.ZERO;
    Duration settle = Duration.ZERO;
    // heap
    HeapGauge.Reading heapBefore;
    HeapGauge.Reading heapAfter;
    // Postfix: sessions of the run, by peer
    final Map<String, List<SmtpdSession>> callbacks = new LinkedHashMap<>();
    // James
    final Map<String, Long> repositoryCounts = new LinkedHashMap<>();
    long stored;
    long storedWithoutMatchingAttribute;
    final Map<String, Long> resultsByKind = new TreeMap<>();
    final Map<SenderGroup, Map<String, Long>> resultsByGroup = new EnumMap<>(SenderGroup.class);
    long spooled;
    long verdictsMade;
    long verdictsCached;
    long errors;
    List<String> firstErrors = List.of();

    private SoakReport() {
    }

    // ------------------------------------------------------------------ the checks

    /** Every message accepted was spooled by James and is in a verdict repository, its attribute saying the same. */
    public boolean nothingLost() {
        long total = warmUpAccepted + accepted;
        return total > 0 && spooled == total && stored == total && storedWithoutMatchingAttribute == 0;
    }

    public boolean heapWithinTolerance() {
        return heapAfter.usedBytes <= heapBefore.usedBytes * (1 + HEAP_TOLERANCE);
    }

    public boolean noErrors() {
        return errors == 0;
    }

    /** smtp-source got every message it sent accepted (record mode: James refuses none). */
    public boolean everythingAccepted() {
        return failedProcesses == 0 && accepted == (long) senders * messagesPerSender;
    }

    public boolean passed() {
        return nothingLost() && heapWithinTolerance() && noErrors() && everythingAccepted();
    }

    public long accepted() {
        return accepted;
    }

    public long callbackCount() {
        return callbacks.values().stream().mapToLong(List::size).sum();
    }

    /** The run's messages by their smtp_cbv_result. */
    public Map<String, Long> resultsByKind() {
        return Map.copyOf(resultsByKind);
    }

    /** Messages of the run whose verdict is not the one their sender's group should get. */
    public long unexpectedVerdicts() {
        long n = 0;
        for (Map.Entry<SenderGroup, Map<String, Long>> e : resultsByGroup.entrySet()) {
            for (Map.Entry<String, Long> r : e.getValue().entrySet()) {
                if (!r.getKey().equals(e.getKey().expected)) {
                    n += r.getValue();
                }
            }
        }
        return n;
    }

    public String failures() {
        List<String> f = new ArrayList<>();
        if (!everythingAccepted()) {
            f.add("smtp-source: " + accepted + " of " + (long) senders * messagesPerSender + " accepted, "
                + failedProcesses + " processes failed " + sendFailures);
        }
        if (!nothingLost()) {
            f.add("lost: accepted " + (warmUpAccepted + accepted) + ", spooled " + spooled + ", stored " + stored
                + " " + repositoryCounts + ", without their verdict attribute " + storedWithoutMatchingAttribute);
        }
        if (!heapWithinTolerance()) {
            f.add(String.format(Locale.ROOT, "heap: %.1f MiB after, %.1f MiB before (+%.1f%%, more than %.0f%%)",
                heapAfter.mib(), heapBefore.mib(), heapGrowthPercent(), HEAP_TOLERANCE * 100));
        }
        if (!noErrors()) {
            f.add(errors + " ERROR lines in James's log, first: " + firstErrors);
        }
        return String.join("; ", f);
    }

    double heapGrowthPercent() {
        return (heapAfter.usedBytes - heapBefore.usedBytes) * 100.0 / heapBefore.usedBytes;
    }

    // ------------------------------------------------------------------ printing

    public void print(PrintStream out) {
        double seconds = elapsed.toNanos() / 1e9;
        out.println();
        out.printf(Locale.ROOT, "messages:      %d accepted of %d sent (%d senders x %d), %d connections at a time;"
            + " warm-up before: %d%n", accepted, (long) senders * messagesPerSender, senders, messagesPerSender,
            connections, warmUpAccepted);
        out.printf(Locale.ROOT, "time:          %.1f s sending, %.1f msgs/s; spool and repositories settled %.1f s later%n",
            seconds, accepted / seconds, settle.toNanos() / 1e9);
        out.printf("callbacks:     %d (smtpd sessions in the Postfix remotes' logs during the run); the handler logged"
            + " %d verdicts of a callback (made or joined while in flight) and %d from its cache (warm-up and run)%n", callbackCount(), verdictsMade,
            verdictsCached);
        for (Map.Entry<String, List<SmtpdSession>> e : callbacks.entrySet()) {
            List<SmtpdSession> sessions = e.getValue();
            out.printf("  %-12s %6d sessions, %6d ended with QUIT, %d with problems%n", e.getKey(), sessions.size(),
                sessions.stream().filter(SmtpdSession::endedWithQuit).count(),
                sessions.stream().filter(x -> !x.problems().isEmpty()).count());
        }
        out.printf("results:       %s (the run's messages by smtp_cbv_result)%n", resultsByKind);
        for (Map.Entry<SenderGroup, Map<String, Long>> e : resultsByGroup.entrySet()) {
            out.printf("  %-20s expected %-9s got %s%n", e.getKey(), e.getKey().expected, e.getValue());
        }
        out.printf("unexpected:    %d verdicts other than their sender group's%n", unexpectedVerdicts());
        out.printf(Locale.ROOT, "heap:          %.1f MiB before, %.1f MiB after (%+.1f%%), used after full GCs%n",
            heapBefore.mib(), heapAfter.mib(), heapGrowthPercent());
        out.printf("stored:        %d %s; James spooled %d (its log), smtp-source got %d accepted (warm-up and run)%n",
            stored, repositoryCounts, spooled, warmUpAccepted + accepted);
        out.printf("ERROR lines:   %d%n", errors);
        firstErrors.forEach(e -> out.println("  " + e));
        out.println();
        out.printf("check nothing lost:        %s%n", verdict(nothingLost()));
        out.printf("check heap within %2.0f%%:    %s%n", HEAP_TOLERANCE * 100, verdict(heapWithinTolerance()));
        out.printf("check no ERROR in the log: %s%n", verdict(noErrors()));
        out.printf("check all accepted:        %s%n", verdict(everythingAccepted()));
        if (!passed()) {
            out.println("FAILED: " + failures());
        }
    }

    private static String verdict(boolean ok) {
        return ok ? "ok" : "FAILED";
    }

    /** Collects the numbers as the run produces them. */
    static final class Builder {
        private final SoakReport r = new SoakReport();
        private final Map<String, SenderGroup> groupOf = new HashMap<>();

        Builder(SoakRun.Settings s, SoakSenders pool) {
            r.senders = pool.all().size();
            r.messagesPerSender = s.messagesPerSender;
            r.plannedMessages = s.messages;
            r.connections = s.connections();
            for (Sender sender : pool.all()) {
                groupOf.put(sender.address, sender.group);
            }
        }

        Builder warmUp(SmtpSourceFleet.Outcome o) {
            r.warmUpAccepted = o.accepted;
            return this;
        }

        Builder run(SmtpSourceFleet.Outcome o, Duration settle) {
            r.accepted = o.accepted;
            r.failedProcesses = o.failedProcesses;
            r.sendFailures = o.failures;
            r.elapsed = o.elapsed;
            r.settle = settle;
            return this;
        }

        Builder heap(HeapGauge.Reading before, HeapGauge.Reading after) {
            r.heapBefore = before;
            r.heapAfter = after;
            return this;
        }

        /** The sessions each peer logged after the warm-up's {@code before}. */
        Builder callbacks(Map<String, Integer> before, Map<String, List<SmtpdSession>> after) {
            after.forEach((peer, sessions) -> {
                int skip = Math.min(before.getOrDefault(peer, 0), sessions.size());
                r.callbacks.put(peer, List.copyOf(sessions.subList(skip, sessions.size())));
            });
            return this;
        }

        Builder stored(List<StoredMail> mails, Map<String, Long> counts) {
            r.repositoryCounts.putAll(counts);
            r.stored = counts.values().stream().mapToLong(Long::longValue).sum();
            for (StoredMail m : mails) {
                boolean verdictRepository = VERDICT_REPOSITORIES.contains(m.repository);
                if (!verdictRepository || !m.result.map(v -> m.repository.equals("cbv-" + v)).orElse(false)) {
                    r.storedWithoutMatchingAttribute++;
                }
                SenderGroup group = groupOf.get(m.sender);
                if (group != null) { // a sender of the run, not of the warm-up
                    String kind = m.result.orElse("(none)");
                    r.resultsByKind.merge(kind, 1L, Long::sum);
                    r.resultsByGroup.computeIfAbsent(group, g -> new TreeMap<>()).merge(kind, 1L, Long::sum);
                }
            }
            return this;
        }

        Builder jamesLog(JamesLog log) {
            r.spooled = log.spooled();
            r.verdictsMade = log.verdictsMade();
            r.verdictsCached = log.verdictsCached();
            r.errors = log.errors();
            r.firstErrors = log.firstErrors();
            return this;
        }

        SoakReport build() {
            return r;
        }
    }
}
