package io.github.jamescbv.cli;

/**
 * A command line that cannot be run; the message names the offending part. Exit status 64.
 * It also says how to report itself: a command line the command cannot read (an unknown
 * option, no address) is answered with the usage text, which lists what it can read; a value
 * it refuses (a bad address, port, duration) is answered with the reason alone, since the
 * usage text would only bury it. A refused address keeps the address, so that a script
 * asking for {@code --json} gets an object naming it.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean showUsage;
    private final String address;
    private final boolean json;

    /** The command line itself is wrong: the usage text follows the message. */
    UsageException(String message) {
        this(message, true, null, false);
    }

    private UsageException(String message, boolean showUsage, String address, boolean json) {
        super(message);
        this.showUsage = showUsage;
        this.address = address;
        this.json = json;
    }

    /** An option's value is refused: the message is enough. */
    static UsageException badValue(String message) {
        return new UsageException(message, false, null, false);
    }

    /** The address is refused; {@code json} when the command was asked for JSON output. */
    static UsageException badAddress(String message, String address, boolean json) {
        return new UsageException(message, false, address, json);
    }

    boolean showUsage() {
        return showUsage;
    }

    /** The refused address as given, or null when the error is not about the address. */
    String address() {
        return address;
    }

    boolean json() {
        return json;
    }
}
