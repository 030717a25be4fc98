package io.github.jamescbv.smtp;

import io.github.jamescbv.core.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * How long one probe attempt may take: the TCP connect, each reply, and the whole attempt.
 * Belongs to the attempt, not to the connection: a connection kept for another probe would be
 * bound by that probe's limits.
 */
public final class ProbeLimits {
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final long deadlineNanos;
    private final Ticker clock;

    /**
     * @param connectTimeout bound on the TCP connect
     * @param commandTimeout bound on each reply (the greeting included)
     * @param deadlineNanos  value of {@code clock} after which the probe gives up whatever the step
     * @param clock          the engine's time source, which the deadline was set on and is read on
     */
    public ProbeLimits(Duration connectTimeout, Duration commandTimeout, long deadlineNanos, Ticker clock) {
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
        this.deadlineNanos = deadlineNanos;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Duration connectTimeout() { return connectTimeout; }
    public Duration commandTimeout() { return commandTimeout; }
    public long deadlineNanos() { return deadlineNanos; }
    public Ticker clock() { return clock; }

    /** Whether the deadline has passed: nothing more can be asked in this attempt. */
    boolean expired() {
        return clock.nanoTime() - deadlineNanos >= 0;
    }
}
