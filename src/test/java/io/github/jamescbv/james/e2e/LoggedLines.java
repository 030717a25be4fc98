package io.github.jamescbv.james.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * What one class logs while attached, as formatted messages: for the behaviour whose only trace is
 * a log line (action warn's "would reject"). Logback is James's logging, so its loggers can take
 * an appender of ours whatever the configuration file says.
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

    LoggedLines(Class<?> source) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
    }

    /** Starts capturing; until {@link #close}. */
    void attach() {
        appender.start();
        logger.addAppender(appender);
    }

    boolean anyMatch(Predicate<String> line) {
        return lines.stream().anyMatch(line);
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
