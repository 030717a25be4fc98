package io.github.jamescbv.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's one-line account of a logged exception, its trace left to the test log file. */
class ThrowableSummaryTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("io.github.jamescbv.policy.GuardedVerifier");

    private String summary(Throwable thrown, String option) {
        ThrowableSummary converter = new ThrowableSummary();
        converter.setContext(context);
        converter.setOptionList(option == null ? null : List.of(option));
        converter.start();
        return converter.convert(new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "store failed", thrown, null));
    }

    @Test
    void anEventWithoutExceptionGetsNothing() {
        assertThat(summary(null, "target/cbv-tests.log")).isEmpty();
    }

    @Test
    void anExceptionIsItsClassAndMessageOnOneLineAndWhereItsTraceWent() {
        Throwable thrown = new IllegalStateException("store\nunavailable");
        assertThat(summary(thrown, Path.of("target", "cbv-tests.log").toAbsolutePath().toString()))
            .isEqualTo(" [java.lang.IllegalStateException: store unavailable; stack trace in "
                + Path.of("target", "cbv-tests.log") + "]");
    }

    @Test
    void aWrappedExceptionAlsoNamesItsRootCause() {
        Throwable thrown = new RuntimeException("wrapped", new IllegalArgumentException("x", new IOException("disk full")));
        assertThat(summary(thrown, "/elsewhere/cbv.log")).isEqualTo(" [java.lang.RuntimeException: wrapped; "
            + "root cause java.io.IOException: disk full; stack trace in /elsewhere/cbv.log]");
    }

    @Test
    void aLongMessageIsCut() {
        String summary = summary(new IllegalStateException("x".repeat(1000)), null);
        assertThat(summary).hasSizeLessThan(400).contains("x...; stack trace in the test log file]");
    }
}
