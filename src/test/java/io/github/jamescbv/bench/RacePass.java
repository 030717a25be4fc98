package io.github.jamescbv.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * One pass of the race: every sender of the workload through one system until each has a
 * final answer (2xx or 5xx at RCPT TO). {@code clients} threads take the next try that is due;
 * a sender answered 4xx (or whose try failed) is tried again {@code retryDelay} later, by
 * whichever thread is free then, so that a deferred sender does not hold a client idle.
 * A sender still without a final answer after {@code maxTries} is left unanswered.
 */
final class RacePass {
    private static final long POLL_MS = 50;

    private final RaceClient client;
    private final int clients;
    private final Duration retryDelay;
    private final int maxTries;

    RacePass(RaceClient client, int clients, Duration retryDelay, int maxTries) {
        this.client = client;
        this.clients = clients;
        this.retryDelay = retryDelay;
        this.maxTries = maxTries;
    }

    Result run(List<RaceSender> senders) throws InterruptedException {
        DelayQueue<Try> due = new DelayQueue<>();
        Map<String, SenderOutcome> outcomes = new LinkedHashMap<>();
        long start = System.nanoTime();
        for (RaceSender s : senders) {
            SenderOutcome o = new SenderOutcome(s);
            outcomes.put(s.address, o);
            due.add(new Try(o, start));
        }
        AtomicInteger open = new AtomicInteger(senders.size());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> work(due, open), "race-client-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Result(System.nanoTime() - start, start, outcomes);
    }

    private void work(DelayQueue<Try> due, AtomicInteger open) {
        try {
            while (open.get() > 0) {
                Try next = due.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (next == null) {
                    continue;
                }
                SenderOutcome o = next.sender;
                int tryNumber;
                synchronized (o) {
                    tryNumber = ++o.tries;
                }
                boolean done = attempt(o, tryNumber);
                if (done || tryNumber >= maxTries) {
                    open.decrementAndGet();
                } else {
                    due.add(new Try(o, System.nanoTime() + retryDelay.toNanos()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One try; true when the sender got its final answer. */
    private boolean attempt(SenderOutcome o, int tryNumber) {
        try {
            RaceClient.Reply reply = client.attempt(o.sender.address, tryNumber);
            synchronized (o) {
                o.lastReply = reply.text;
                if (!reply.isFinal()) {
                    o.deferrals++;
                    return false;
                }
                o.finalCode = reply.code;
                o.answeredAt = System.nanoTime();
                return true;
            }
        } catch (Exception e) {
            synchronized (o) {
                o.failures++;
                o.lastReply = "failed: " + e;
            }
            return false;
        }
    }

    /** What one sender got. */
    static final class SenderOutcome {
        final RaceSender sender;
        int tries;
        int deferrals;
        int failures;
        /** 0 while unanswered. */
        int finalCode;
        long answeredAt;
        String lastReply = "";

        SenderOutcome(RaceSender sender) {
            this.sender = sender;
        }

        boolean answered() {
            return finalCode != 0;
        }

        /** "accept", "reject", or "none" (no final answer). */
        String answer() {
            return !answered() ? "none" : finalCode / 100 == 2 ? "accept" : "reject";
        }

        String expected() {
            return sender.exists ? "accept" : "reject";
        }
    }

    /** The pass as a whole. */
    static final class Result {
        final long elapsedNanos;
        final long startNanos;
        final Map<String, SenderOutcome> outcomes;

        Result(long elapsedNanos, long startNanos, Map<String, SenderOutcome> outcomes) {
            this.elapsedNanos = elapsedNanos;
            this.startNanos = startNanos;
            this.outcomes = outcomes;
        }

        int senders() {
            return outcomes.size();
        }

        long answered() {
            return outcomes.values().stream().filter(SenderOutcome::answered).count();
        }

        /** From the start of the pass until the last final answer (the whole pass when one is missing). */
        double secondsToAllAnswered() {
            long last = outcomes.values().stream().filter(SenderOutcome::answered)
                .mapToLong(o -> o.answeredAt - startNanos).max().orElse(elapsedNanos);
            return (answered() == senders() ? last : elapsedNanos) / 1e9;
        }

        double answersPerSecond() {
            return answered() / secondsToAllAnswered();
        }

        int tries() {
            return outcomes.values().stream().mapToInt(o -> o.tries).sum();
        }

        int deferrals() {
            return outcomes.values().stream().mapToInt(o -> o.deferrals).sum();
        }

        int failures() {
            return outcomes.values().stream().mapToInt(o -> o.failures).sum();
        }

        /** Seconds from the start of the pass to a sender's final answer, at quantile {@code q} of the answered. */
        double answerSeconds(double q) {
            long[] t = outcomes.values().stream().filter(SenderOutcome::answered)
                .mapToLong(o -> o.answeredAt - startNanos).sorted().toArray();
            return t.length == 0 ? Double.NaN : t[Math.min(t.length - 1, (int) Math.ceil(q * t.length) - 1)] / 1e9;
        }

        /** Senders whose answer is not the expected one, as "sender: got X, expected Y (last reply)". */
        List<String> wrongAnswers() {
            List<String> wrong = new ArrayList<>();
            for (SenderOutcome o : outcomes.values()) {
                if (!o.answer().equals(o.expected())) {
                    wrong.add(o.sender.address + ": " + o.answer() + ", expected " + o.expected() + " (" + o.lastReply + ")");
                }
            }
            return wrong;
        }

        /** The last replies to RCPT TO, addresses left out, by how many senders got each: most frequent first. */
        Map<String, Long> replyKinds() {
            Map<String, Long> counts = outcomes.values().stream()
                .map(o -> o.lastReply.replaceAll("<[^>]*>", "<..>"))
                .map(r -> r.length() > 110 ? r.substring(0, 110) + "..." : r)
                .collect(Collectors.groupingBy(r -> r, Collectors.counting()));
            return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        }
    }

    /** A try of a sender, due at {@code dueNanos}. */
    private static final class Try implements Delayed {
        final SenderOutcome sender;
        final long dueNanos;

        Try(SenderOutcome sender, long dueNanos) {
            this.sender = sender;
            this.dueNanos = dueNanos;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((Try) other).dueNanos);
        }
    }
}
