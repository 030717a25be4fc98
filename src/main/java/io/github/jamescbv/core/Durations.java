package io.github.jamescbv.core;

import java.time.Duration;
import java.util.Locale;

/** Parses the durations of configuration and the command line: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 7d}. */
public final class Durations {
    private Durations() {
    }

    /**
     * @throws IllegalArgumentException naming the value when it is not a non-negative number
     *                                  followed by ms, s, m, h or d (a bare number means seconds)
     */
    public static Duration parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("missing duration");
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 12) {
            throw bad(value);
        }
        long n = Long.parseLong(v.substring(0, i));
        String unit = v.substring(i).trim();
        switch (unit) {
            case "ms":
                return Duration.ofMillis(n);
            case "":
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            case "d":
                return Duration.ofDays(n);
            default:
                throw bad(value);
        }
    }

    private static IllegalArgumentException bad(String value) {
        return new IllegalArgumentException("bad duration '" + SafeText.clean(value, 40)
            + "' (expected a number followed by ms, s, m, h or d, e.g. 10s)");
    }

    /** Formats for humans: 1500ms, 30s, 2m. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms != 0) {
            return (ms / 60_000) + "m";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + "s";
        }
        return ms + "ms";
    }
}
