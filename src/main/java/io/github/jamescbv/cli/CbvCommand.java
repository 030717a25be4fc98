package io.github.jamescbv.cli;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.HeloName;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.verify.CallbackVerifier;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code cbv verify ADDRESS}: one callback from the command line, for administrators
 * checking what the James hook would decide, and why.
 */
public final class CbvCommand {
    static final int EXIT_PASS = 0;
    static final int EXIT_ERROR = 1;
    static final int EXIT_TRANSIENT = 2;
    static final int EXIT_USAGE = 64;

    private CbvCommand() {
    }

    public static void main(String[] args) {
        // The CLI jar bundles slf4j-simple: keep the engine's logs out of the output unless asked for.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
            System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "error"));
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && ("-h".equals(args[0]) || "--help".equals(args[0]) || "help".equals(args[0]))) {
            out.println(CliOptions.USAGE);
            return 0;
        }
        CliOptions options;
        try {
            options = CliOptions.parse(args);
        } catch (UsageException e) {
            UsageErrorPrinter.print(e, out, err);
            return EXIT_USAGE;
        }
        warnIfNotFullyQualified(options.settings.heloName(), err);
        List<String> dialog = new CopyOnWriteArrayList<>();
        Verdict verdict;
        try (CallbackVerifier verifier = CallbackVerifier.start(options.settings)) {
            // The engine's own totalTimeout ends every verification; the extra second only
            // guards against a bug of ours leaving the command hanging forever.
            long waitMs = options.settings.totalTimeout().toMillis() + 1000;
            verdict = verifier.verify(options.map.route(options.address),
                    options.verbose ? dialog::add : line -> { }, DomainFacts.NONE)
                .toCompletableFuture().get(waitMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            err.println("cbv: internal error: " + SafeText.clean(String.valueOf(e), 300));
            return EXIT_TRANSIENT;
        }
        if (options.json) {
            VerdictPrinter.json(verdict, options.address.toString(), dialog, options.verbose, out);
        } else {
            VerdictPrinter.text(verdict, dialog, out);
        }
        return exitStatus(verdict.result());
    }

    /**
     * The handler's start-up warning, on standard error: a remote may answer a probe that says a
     * name it cannot check differently from one that comes from the real server, and the
     * administrator comparing the two would not know why.
     */
    private static void warnIfNotFullyQualified(String heloName, PrintStream err) {
        HeloName.whyNotFullyQualified(heloName).ifPresent(why -> err.println("cbv: warning: the probe says EHLO "
            + SafeText.clean(heloName, 255) + ", which is not a fully qualified domain name (" + why + "); remote "
            + "mail servers may refuse or distrust it. Give this server's public name with --helo NAME."));
    }

    static int exitStatus(Result r) {
        switch (r) {
            case PASS:
                return EXIT_PASS;
            case ERROR:
                return EXIT_ERROR;
            default:
                return EXIT_TRANSIENT;
        }
    }
}
