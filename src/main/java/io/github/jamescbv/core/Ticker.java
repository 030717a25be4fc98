package io.github.jamescbv.core;

/**
 * The one time source of the protections, with two readings: monotonic nanoseconds for waits
 * and rates, and wall-clock milliseconds for expiries that must mean the same thing to another
 * process (a shared store keeps them as epoch milliseconds). Injected so that tests move time by
 * hand instead of sleeping, one test clock driving both readings.
 */
public interface Ticker {
    /** Real time: {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long wallMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public String toString() {
            return "Ticker.SYSTEM";
        }
    };

    /**
     * Monotonic nanoseconds in the sense of {@link System#nanoTime()}: only differences mean
     * anything, and they are compared by subtraction so that a wrap-around does no harm.
     */
    long nanoTime();

    /** Milliseconds since the epoch, in the sense of {@link System#currentTimeMillis()}: may jump, never for waits. */
    long wallMillis();
}
