package io.github.jamescbv.testing.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Whether a peer's processes still run. A process that has exited but was never reaped (a
 * zombie) does not count: where PID 1 does not reap orphans (some containers), the children
 * of a stopped Postfix master linger as zombies, holding no port and no file.
 */
final class PeerProcesses {
    private PeerProcesses() {
    }

    /** Running and not a zombie, by /proc/PID/stat. */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // "pid (comm) S ...": the state follows the last ')' (comm may contain one)
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code pid} and its descendants that are running now. */
    static List<Long> treeOf(long pid) {
        return ProcessHandle.of(pid)
            .map(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h), h.descendants()))
            .orElseGet(java.util.stream.Stream::empty)
            .map(ProcessHandle::pid)
            .filter(PeerProcesses::running)
            .collect(Collectors.toList());
    }

    /** Waits up to {@code limit} for every one of {@code pids} to stop; kills those that do not. */
    static void awaitGone(List<Long> pids, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (pids.stream().anyMatch(PeerProcesses::running) && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(50));
        }
        for (long pid : pids) {
            if (running(pid)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * A peer's close(): its shutdown hook is dropped (it would only stop the peer again at exit),
     * then the peer stops now. When the JVM is already shutting down the hook cannot be dropped;
     * stopping twice is harmless.
     */
    static void stopNow(Thread shutdownHook, Runnable stop) {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or about to
        }
        stop.run();
    }

    /** Stops a peer run in the foreground: SIGTERM, then SIGKILL if it has not gone within 10 s. */
    static void terminate(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A peer's log file, as lines; none while it does not exist. */
    static List<String> logLines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
