package io.github.jamescbv.testing.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an administration command of a peer (postfix start, postconf) to its end, with a bound.
 * Its output goes to a file, not a pipe: {@code postfix start} leaves a daemon behind, and a
 * daemon that inherited our pipe would keep it open, so reading a pipe to its end could hang.
 */
final class PeerCommand {
    /** What a finished command returned. */
    static final class Outcome {
        final List<String> command;
        final int exitCode;
        final String output;

        Outcome(List<String> command, int exitCode, String output) {
            this.command = command;
            this.exitCode = exitCode;
            this.output = output;
        }

        boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exitCode + (output.isBlank() ? "" : ": " + output.strip());
        }
    }

    private PeerCommand() {
    }

    /** Runs {@code command}, its output appended to {@code transcript}; kills it after {@code limit}. */
    static Outcome run(Path transcript, Duration limit, List<String> command) {
        try {
            Files.createDirectories(transcript.getParent());
            long before = Files.exists(transcript) ? Files.size(transcript) : 0;
            Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(transcript.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + limit);
            }
            return new Outcome(command, process.exitValue(), tail(transcript, before));
        } catch (IOException e) {
            throw new UncheckedIOException("running " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    /** As {@link #run}, throwing with the output when the command fails. */
    static Outcome check(Path transcript, Duration limit, List<String> command) {
        Outcome outcome = run(transcript, limit, command);
        if (!outcome.ok()) {
            throw new IllegalStateException(outcome.toString());
        }
        return outcome;
    }

    private static String tail(Path file, long from) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int start = (int) Math.min(from, all.length);
        return new String(all, start, all.length - start, StandardCharsets.UTF_8);
    }
}
