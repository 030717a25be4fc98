package io.github.jamescbv.james.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * What one class logs while attached, as formatted messages: for the behaviour whose only trace is
 * a log line (action warn's "would reject", a shared store's fallback and recovery). Logback is
 * James's logging, so its loggers can take an appender of ours whatever the configuration file
 * says; while attached the class logs at INFO at least, since the test configuration may leave
 * it at WARN and some of those lines are INFO.
 */
final class LoggedLines implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getFormattedMessage());
        }
    };
    private Level levelBefore;
    private boolean attached;

    LoggedLines(Class<?> source) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
    }

    /** Starts capturing; until {@link #close}. */
    void attach() {
        levelBefore = logger.getLevel();
        attached = true;
        if (!logger.isInfoEnabled()) {
            logger.setLevel(Level.INFO);
        }
        appender.start();
        logger.addAppender(appender);
    }

    boolean anyMatch(Predicate<String> line) {
        return lines.stream().anyMatch(line);
    }

    /** The lines so far that match, in order. */
    List<String> matching(Predicate<String> line) {
        return lines.stream().filter(line).collect(Collectors.toList());
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        if (attached) {
            logger.setLevel(levelBefore); // null again where it was: the configured level is inherited
        }
    }
}
