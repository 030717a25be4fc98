package io.github.jamescbv.james.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Everything James and we log at INFO and above while attached, whatever the test configuration
 * says (it keeps most loggers at WARN): for the checks that nothing from a request reaches a log
 * line as it came. Each event as the text a log line would print: the message, its exceptions'
 * messages and, for our own loggers, the MDC. Not James's MDC: its WebAdmin MDCFilter puts every
 * request's decoded path there (key {@code action}) before any route sees it, CR and LF included;
 * James's log patterns do not print it (docs/james.md, "WebAdmin").
 */
final class EveryLogLine implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level rootBefore = root.getLevel();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    EveryLogLine() {
        root.setLevel(Level.INFO);
        appender.start();
        root.addAppender(appender);
    }

    /** Each event: logger, message, exception messages, and the MDC of ours ({@code io.github.jamescbv.*}). */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        synchronized (appender) {
            for (ILoggingEvent e : appender.list) {
                StringBuilder line = new StringBuilder(e.getLoggerName()).append(" - ").append(e.getFormattedMessage());
                for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                    line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
                }
                if (e.getLoggerName().startsWith("io.github.jamescbv")) {
                    line.append(" | mdc ").append(e.getMDCPropertyMap());
                }
                lines.add(line.toString());
            }
        }
        return lines;
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(rootBefore);
    }
}
