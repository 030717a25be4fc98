package io.github.jamescbv.bench;

import io.github.jamescbv.soak.SoakReport;
import io.github.jamescbv.soak.SoakRun;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.Peers;
import java.util.Locale;
import java.util.Optional;

/**
 * The soak run of issue 6 (bench/soak.sh): by default 20,000 messages from smtp-source at 50
 * connections through a real James 3.8.1 with our handler, calling back real Postfix remotes
 * found through a real dnsmasq (see {@link SoakRun}), then the checks: nothing lost, heap after
 * within 10% of before, no ERROR in James's log.
 *
 * <p>Arguments: {@code [messages [warm-up messages [messages per sender [processes [sessions per process]]]]]},
 * default {@code 20000 2000 10 10 5}. Exit status 1 when a check fails, 2 when the machine
 * cannot run it (root, postfix, dnsmasq missing).
 */
public final class SoakBench {
    private SoakBench() {
    }

    public static void main(String[] args) throws Exception {
        Optional<String> missing = Peers.missing(Need.ROOT, Need.POSTFIX, Need.DNSMASQ, Need.SMTP_SOURCE);
        if (missing.isPresent()) {
            System.err.println(missing.get());
            System.exit(2);
        }
        SoakRun.Settings settings = new SoakRun.Settings()
            .messages(arg(args, 0, 20_000))
            .warmUpMessages(arg(args, 1, 2_000))
            .messagesPerSender(arg(args, 2, 10))
            .concurrency(arg(args, 3, 10), arg(args, 4, 5));
        System.out.printf(Locale.ROOT, "soak: %d cores, Java %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"), Runtime.getRuntime().maxMemory() / (1024 * 1024));
        int status;
        try {
            SoakReport report = SoakRun.run(settings, System.out);
            report.print(System.out);
            status = report.passed() ? 0 : 1;
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        }
        // James leaves non-daemon threads behind after stop().
        System.exit(status);
    }

    /** The argument at {@code index} as a number, {@code otherwise} when there are fewer arguments (the flood's too). */
    static int arg(String[] args, int index, int otherwise) {
        return args.length > index ? Integer.parseInt(args[index]) : otherwise;
    }
}
