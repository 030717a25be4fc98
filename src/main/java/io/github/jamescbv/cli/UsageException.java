package io.github.jamescbv.cli;

/** A command line that cannot be run; the message names the offending part. Exit status 64. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
