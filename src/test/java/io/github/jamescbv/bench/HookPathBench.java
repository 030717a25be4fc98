package io.github.jamescbv.bench;

import io.github.jamescbv.james.HookTransaction;
import java.util.concurrent.TimeUnit;
import javax.mail.MessagingException;
import org.apache.mailet.Mail;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the hook itself costs per SMTP transaction with a warm cache, without James around it:
 * every call James 3.8.1 makes into {@code CallbackVerifyHandler} for one of JamesBench's
 * transactions (MAIL, the RCPT command handler, RCPT, the DATA line filter for each line, the
 * message hook that sets the attributes, the result handler for each reply), on one thread,
 * with James's Dropwizard metrics and the logging the JVM is started with (bench/hook.sh runs
 * it with the James benchmark's logback configuration, so the INFO line per verification is
 * formatted and written to a file). 1,000 pool senders, each verified once before measuring.
 *
 * <p>{@code JamesBench} measures the same hook inside a real James, where the differences are
 * within the noise of a shared machine; this one isolates the hook's own CPU cost (one thread
 * busy, so time per operation is CPU time per transaction) and lets it be split: run it with
 * the log line on, flushed per line, and off.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class HookPathBench {
    static final int POOL = 1_000;

    private HookTransaction transaction;

    @Setup
    public void setUp() throws Exception {
        transaction = HookTransaction.warm(POOL);
    }

    @TearDown
    public void tearDown() {
        if (transaction.engineCalls() != POOL) {
            throw new IllegalStateException("the engine was asked " + transaction.engineCalls() + " times, expected "
                + POOL + " (once per pool sender): some transactions were not cache hits");
        }
        transaction.close();
    }

    @Benchmark
    public Mail transactionWithWarmCache() throws MessagingException {
        return transaction.run();
    }
}
