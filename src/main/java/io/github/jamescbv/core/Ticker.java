package io.github.jamescbv.core;

/**
 * A source of monotonic nanoseconds, in the sense of {@link System#nanoTime()}: only differences
 * mean anything, and they are compared by subtraction so that a wrap-around does no harm.
 * Injected so that tests can move time by hand instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {
    /** Real time. */
    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
