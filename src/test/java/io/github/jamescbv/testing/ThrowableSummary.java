package io.github.jamescbv.testing;

import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import java.nio.file.Path;

/**
 * The console's account of a logged exception in the tests (logback-cbv-test.xml, conversion word
 * {@code exSummary}): one bracket at the end of the event's line, {@code [class: message; root
 * cause class: message; stack trace in FILE]}, where the full trace went to the test log file (the
 * option). Many tests provoke failures on purpose, and the code under test logs them with their
 * stack traces as it should in production; on the console those traces would bury what matters.
 * The line itself stays, at its level, so that an unexpected WARN or ERROR is still seen.
 */
public final class ThrowableSummary extends ThrowableHandlingConverter {
    /** Enough to read what went wrong; the file has the rest. */
    private static final int MAX_MESSAGE = 300;

    private String file = "the test log file";

    @Override
    public void start() {
        String option = getFirstOption();
        if (option != null && !option.isBlank()) {
            file = shortened(Path.of(option).toAbsolutePath());
        }
        super.start();
    }

    @Override
    public String convert(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown == null) {
            return "";
        }
        StringBuilder line = new StringBuilder(" [").append(describe(thrown));
        IThrowableProxy root = thrown;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != thrown) {
            line.append("; root cause ").append(describe(root));
        }
        return line.append("; stack trace in ").append(file).append(']').toString();
    }

    /** {@code file} from the working directory (the project's, under Maven) when it is below it. */
    private static String shortened(Path file) {
        Path here = Path.of("").toAbsolutePath();
        return (file.startsWith(here) ? here.relativize(file) : file).toString();
    }

    private static String describe(IThrowableProxy t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClassName();
        }
        String oneLine = message.replaceAll("\\s+", " ").trim();
        if (oneLine.length() > MAX_MESSAGE) {
            oneLine = oneLine.substring(0, MAX_MESSAGE) + "...";
        }
        return t.getClassName() + ": " + oneLine;
    }
}
