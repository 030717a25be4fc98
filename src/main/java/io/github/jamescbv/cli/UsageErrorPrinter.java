package io.github.jamescbv.cli;

import io.github.jamescbv.core.Json;
import io.github.jamescbv.core.SafeText;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prints a usage error: the reason on standard error, then the usage text or one line pointing
 * to it; a refused address under {@code --json} as one JSON object on standard output instead,
 * where the script that asked for JSON reads (the exit status, 64, still tells it from a verdict).
 */
final class UsageErrorPrinter {
    static final String HELP_POINTER = "Run 'bin/cbv --help' for the options and exit statuses.";

    /** An address past this is no address anyone typed; the object stays one short line. */
    private static final int ADDRESS_SHOWN = 320;

    private UsageErrorPrinter() {
    }

    static void print(UsageException e, PrintStream out, PrintStream err) {
        if (e.json() && e.address() != null) {
            out.println(json(e));
            return;
        }
        err.println("cbv: " + SafeText.clean(e.getMessage(), 300));
        err.println(e.showUsage() ? CliOptions.USAGE : HELP_POINTER);
    }

    /** The address is whatever the caller passed: Json escapes every control and non-ASCII character. */
    private static String json(UsageException e) {
        String address = e.address();
        if (address.length() > ADDRESS_SHOWN) {
            address = address.substring(0, ADDRESS_SHOWN) + "...";
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("error", e.getMessage());
        fields.put("address", address);
        return Json.object(fields);
    }
}
