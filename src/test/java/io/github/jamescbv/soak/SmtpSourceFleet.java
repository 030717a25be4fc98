package io.github.jamescbv.soak;

import io.github.jamescbv.soak.SoakSenders.Sender;
import io.github.jamescbv.testing.peers.Peers;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends mail with the real {@code smtp-source} (Postfix's load generator). It takes one sender
 * per process ({@code -f}), so a fixed number of processes run side by side, each with
 * {@code -s sessionsPerProcess} parallel SMTP sessions, and a process that ends is followed at
 * once by one for the next sender: {@code processes x sessionsPerProcess} connections at a time.
 *
 * <p>What smtp-source got accepted is read from its {@code -c} counter (incremented for each
 * DATA that completed with a 2xx; without {@code -A} any other reply ends the process with a
 * "fatal" line and exit status 1, which is kept for the report).
 */
final class SmtpSourceFleet {
    private static final Duration PROCESS_LIMIT = Duration.ofMinutes(5);
    /** How often a long run says how far it got: a rate that sinks as the run goes on would show here. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(20);

    private final String host;
    private final int port;
    private final String recipient;
    private final int processes;
    private final int sessionsPerProcess;
    private final Path workDirectory;

    /** What a fleet run did. */
    static final class Outcome {
        final long accepted;
        final long failedProcesses;
        final List<String> failures;
        final Duration elapsed;

        Outcome(long accepted, long failedProcesses, List<String> failures, Duration elapsed) {
            this.accepted = accepted;
            this.failedProcesses = failedProcesses;
            this.failures = failures;
            this.elapsed = elapsed;
        }
    }

    SmtpSourceFleet(String host, int port, String recipient, int processes, int sessionsPerProcess, Path workDirectory) {
        this.host = host;
        this.port = port;
        this.recipient = recipient;
        this.processes = processes;
        this.sessionsPerProcess = sessionsPerProcess;
        this.workDirectory = workDirectory;
    }

    /**
     * Sends {@code messagesPerSender} messages from each sender; returns when every process has
     * ended. Every {@link #PROGRESS_EVERY} it prints the messages accepted so far to {@code progress}.
     */
    Outcome send(List<Sender> senders, int messagesPerSender, PrintStream progress) throws InterruptedException {
        try {
            Files.createDirectories(workDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String program = Peers.which("smtp-source").map(Path::toString)
            .orElseThrow(() -> new IllegalStateException("smtp-source not found (apt-get install postfix)"));
        AtomicInteger next = new AtomicInteger();
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService slots = Executors.newFixedThreadPool(processes, r -> {
            Thread t = new Thread(r, "soak-smtp-source");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-progress");
            t.setDaemon(true);
            return t;
        });
        long[] last = {0};
        ticker.scheduleAtFixedRate(() -> {
            long now = accepted.get();
            progress.printf(Locale.ROOT, "  %4.0f s: %6d accepted, %6.1f msgs/s in the last %d s%n",
                (System.nanoTime() - start) / 1e9, now, (now - last[0]) / (double) PROGRESS_EVERY.getSeconds(),
                PROGRESS_EVERY.getSeconds());
            last[0] = now;
        }, PROGRESS_EVERY.toMillis(), PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int slot = 0; slot < processes; slot++) {
                int slotNumber = slot;
                running.add(slots.submit(() -> {
                    for (int i = next.getAndIncrement(); i < senders.size(); i = next.getAndIncrement()) {
                        Path output = workDirectory.resolve("slot-" + slotNumber + ".out");
                        int[] result = runOne(program, senders.get(i).address, messagesPerSender, output);
                        accepted.addAndGet(result[0]);
                        if (result[1] != 0) {
                            failed.incrementAndGet();
                            if (failures.size() < 20) {
                                failures.add(senders.get(i).address + ": exit " + result[1] + ", " + read(output).strip());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("an smtp-source slot failed", e.getCause());
                }
            }
        } finally {
            ticker.shutdownNow();
            slots.shutdownNow();
            slots.awaitTermination(10, TimeUnit.SECONDS);
        }
        return new Outcome(accepted.get(), failed.get(), List.copyOf(failures), Duration.ofNanos(System.nanoTime() - start));
    }

    /** One smtp-source process: {accepted messages, exit status}. */
    private int[] runOne(String program, String sender, int messages, Path output) throws IOException, InterruptedException {
        // The address comes from our own pool, never from the network: plain ASCII, no spaces.
        Process p = new ProcessBuilder(program, "-c", "-s", Integer.toString(sessionsPerProcess),
            "-m", Integer.toString(messages), "-M", "client.soak.test", "-f", sender, "-t", recipient,
            "-S", "soak from " + sender, "-l", "512", host + ":" + port)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        if (!p.waitFor(PROCESS_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            return new int[] {lastCount(read(output)), -1};
        }
        return new int[] {lastCount(read(output)), p.exitValue()};
    }

    /** The last value of the {@code -c} counter ("1\r2\r3\r\n"): DATA transactions that completed. */
    static int lastCount(String output) {
        int count = 0;
        for (String token : output.split("[\\r\\n]+")) {
            String t = token.strip();
            if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
                count = Integer.parseInt(t);
            }
        }
        return count;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
