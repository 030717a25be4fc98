package io.github.jamescbv.core;

/**
 * Receives a probe's dialog as it happens, one sanitised line per event:
 * {@code "connect 192.0.2.1:25"}, {@code "-> MAIL FROM:<>"}, {@code "<- 250 2.1.0 Ok"},
 * {@code "closed"}. Called on engine threads: implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface DialogListener {
    DialogListener NONE = line -> { };

    void onLine(String line);
}
