package io.github.jamescbv.soak;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * James's log during the soak run, captured from logback (James's logging) whatever its
 * configuration file says: every WARN and ERROR of anything, our handler's INFO lines, and
 * James's INFO "Successfully spooled mail" of each accepted message, into {@code file}; ERRORs
 * and spooled mails counted. The handler's and the spooling loggers stop writing to the
 * configured appenders (the console) meanwhile: 20,000 lines each. {@link #close} puts back
 * what it changed.
 */
final class JamesLog implements AutoCloseable {
    static final String SPOOL_LOGGER = "org.apache.james.smtpserver.SendMailHandler";
    static final String HANDLER_LOGGER = "io.github.jamescbv.james";
    private static final int KEPT_ERRORS = 10;

    private final LoggerContext context;
    private final Counter counter;
    private final FileAppender<ILoggingEvent> file;
    private final List<Logger> quieted = new ArrayList<>();
    private final List<Level> levelsBefore = new ArrayList<>();

    private JamesLog(LoggerContext context, Counter counter, FileAppender<ILoggingEvent> file) {
        this.context = context;
        this.counter = counter;
        this.file = file;
    }

    static JamesLog capture(Path logFile) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            throw new IllegalStateException("SLF4J is not bound to logback (" + LoggerFactory.getILoggerFactory().getClass()
                + "): James's log cannot be captured");
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName("soak-file");
        file.setFile(logFile.toString());
        file.setAppend(false);
        file.setEncoder(encoder);
        file.start();
        Counter counter = new Counter();
        counter.setContext(context);
        counter.setName("soak-counter");
        counter.start();

        JamesLog log = new JamesLog(context, counter, file);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(file);
        root.addAppender(counter);
        for (String name : List.of(SPOOL_LOGGER, HANDLER_LOGGER)) {
            Logger logger = context.getLogger(name);
            log.quieted.add(logger);
            log.levelsBefore.add(logger.getLevel());
            logger.setLevel(Level.INFO);
            logger.setAdditive(false);
            logger.addAppender(file);
            logger.addAppender(counter);
        }
        return log;
    }

    long errors() {
        return counter.errors.get();
    }

    long spooled() {
        return counter.spooled.get();
    }

    /**
     * The handler's verdict lines: those of a callback (made for this message, or joined while one
     * for the same sender was in flight), and those served from the verdict cache.
     */
    long verdictsMade() {
        return counter.verdictsMade.get();
    }

    long verdictsCached() {
        return counter.verdictsCached.get();
    }

    /** The first ERROR lines, with their exception's class and message. */
    List<String> firstErrors() {
        synchronized (counter.firstErrors) {
            return List.copyOf(counter.firstErrors);
        }
    }

    @Override
    public void close() {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(file);
        root.detachAppender(counter);
        for (int i = 0; i < quieted.size(); i++) {
            Logger logger = quieted.get(i);
            logger.detachAppender(file);
            logger.detachAppender(counter);
            logger.setAdditive(true);
            logger.setLevel(levelsBefore.get(i));
        }
        file.stop();
        counter.stop();
    }

    /** Counts what the checks need; keeps the first few errors for the report. */
    private static final class Counter extends AppenderBase<ILoggingEvent> {
        final AtomicLong errors = new AtomicLong();
        final AtomicLong spooled = new AtomicLong();
        final AtomicLong verdictsMade = new AtomicLong();
        final AtomicLong verdictsCached = new AtomicLong();
        final List<String> firstErrors = new ArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel() == Level.ERROR) {
                errors.incrementAndGet();
                synchronized (firstErrors) {
                    if (firstErrors.size() < KEPT_ERRORS) {
                        IThrowableProxy t = event.getThrowableProxy();
                        firstErrors.add(event.getLoggerName() + ": " + event.getFormattedMessage()
                            + (t == null ? "" : " (" + t.getClassName() + ": " + t.getMessage() + ")"));
                    }
                }
            } else if (SPOOL_LOGGER.equals(event.getLoggerName()) && event.getMessage().startsWith("Successfully spooled mail")) {
                spooled.incrementAndGet();
            } else if (event.getLoggerName().startsWith(HANDLER_LOGGER) && event.getMessage().startsWith("callback verification ")) {
                String line = event.getFormattedMessage();
                if (line.contains(" cached=true ")) {
                    verdictsCached.incrementAndGet();
                } else if (line.contains(" cached=false ")) {
                    verdictsMade.incrementAndGet();
                }
            }
        }
    }
}
