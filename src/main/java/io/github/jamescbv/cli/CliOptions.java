package io.github.jamescbv.cli;

import io.github.jamescbv.config.Setting;
import io.github.jamescbv.config.Settings;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.verify.VerifierSettings;
import java.util.Optional;

/**
 * The parsed command line of {@code cbv verify}: the address, the engine settings, the output
 * form. The options that are settings, their names and how their values are parsed, come from
 * {@link Settings}; {@link #USAGE} describes them (a test keeps the two in step).
 */
final class CliOptions {
    static final String USAGE = String.join("\n",
        "usage: cbv verify ADDRESS [--mailfrom ADDR] [--helo NAME] [--dns HOST[:PORT]]...",
        "                          [--port N] [--map FROM=TO]... [--connect-timeout 10s]",
        "                          [--command-timeout 30s] [--total-timeout 60s]",
        "                          [--allow-private-targets] [--allow-target-networks CIDR,...]",
        "                          [--tls may|none|encrypt] [--no-pipelining]",
        "                          [--random-check] [--postmaster-check] [--json] [-v]",
        "",
        "Asks the mail servers of ADDRESS's domain, by an SMTP callback, whether they accept it.",
        "Prints pass, error or transient on the first line, then the detail.",
        "  --mailfrom ADDR          probe sender (default: the null sender <>)",
        "  --helo NAME              our name in EHLO/HELO (default: this host's name)",
        "  --dns HOST[:PORT]        DNS server to ask, repeatable (default: the system's)",
        "  --port N                 SMTP port of the mail hosts (default 25)",
        "  --map FROM=TO            call back domain TO, or host [TO] / [TO]:PORT, for FROM; repeatable",
        "  --connect-timeout D      bound on each TCP connect (default 10s)",
        "  --command-timeout D      bound on each reply (default 30s)",
        "  --total-timeout D        bound on the whole verification (default 60s)",
        "  --allow-private-targets  allow connecting to loopback, private and reserved addresses",
        "  --allow-target-networks CIDR,...  allow these loopback/private networks only; repeatable",
        "  --tls may|none|encrypt   STARTTLS when offered, clear text if it fails (may, the default);",
        "                           never (none); required, else the host is not asked (encrypt)",
        "  --no-pipelining          send RCPT TO only after MAIL FROM's reply, even where PIPELINING is offered",
        "  --random-check           after a pass, also ask a random address of the domain (accepts all?)",
        "  --postmaster-check       after a pass, also ask postmaster@domain (rejects postmaster?)",
        "  --json                   print the verdict as one JSON object",
        "  -v                       also print the DNS answers and the SMTP dialog",
        "Durations: 500ms, 10s, 2m. Exit status: 0 pass, 1 error, 2 transient, 64 usage error.");

    final EmailAddress address;
    final VerifierSettings settings;
    final DomainMap map;
    final boolean json;
    final boolean verbose;

    private CliOptions(EmailAddress address, VerifierSettings settings, DomainMap map, boolean json, boolean verbose) {
        this.address = address;
        this.settings = settings;
        this.map = map;
        this.json = json;
        this.verbose = verbose;
    }

    static CliOptions parse(String[] args) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("missing command (expected: verify)");
        }
        if (!"verify".equals(args[0])) {
            throw new UsageException("unknown command '" + SafeText.clean(args[0], 40) + "' (expected: verify)");
        }
        CommandSettings settings = new CommandSettings();
        String address = null;
        boolean json = false;
        boolean verbose = false;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            // The output form is the command's own; every other option is a setting of the table.
            if (name.equals("--json")) {
                json = true;
                continue;
            }
            if (name.equals("-v") || name.equals("--verbose")) {
                verbose = true;
                continue;
            }
            Optional<Setting<?>> setting = Settings.ofOption(name);
            if (setting.isPresent()) {
                String text = setting.get().isFlag() ? "" : inline != null ? inline : value(args, ++i, name);
                try {
                    settings.take(setting.get(), text);
                } catch (IllegalArgumentException e) {
                    throw UsageException.badValue(name + ": " + e.getMessage());
                }
            } else if (arg.startsWith("-")) {
                throw new UsageException("unknown option '" + SafeText.clean(arg, 40) + "'");
            } else if (address != null) {
                throw new UsageException("more than one address: '" + SafeText.clean(arg, 80) + "'");
            } else {
                address = arg;
            }
        }
        if (address == null) {
            throw new UsageException("missing ADDRESS");
        }
        EmailAddress parsed;
        try {
            parsed = EmailAddress.parse(address);
        } catch (InvalidAddressException e) {
            throw UsageException.badAddress("bad address: " + e.getMessage(), address, json);
        }
        VerifierSettings built;
        try {
            built = settings.build();
        } catch (IllegalArgumentException e) {
            throw UsageException.badValue(Settings.DNS.option().orElseThrow() + ": " + e.getMessage());
        }
        return new CliOptions(parsed, built, settings.map(), json, verbose);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }
}
