package io.github.jamescbv.james.e2e;

import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The remotes that the test James (the class path's smtpserver.xml) calls back. They start
 * before James, which reads their ports from the system properties {@code cbv.it.mx},
 * {@code cbv.it.silent} and {@code cbv.it.dns}: so a test class starts them in a static field
 * declared above its James extension (static fields initialise in order).
 *
 * <p>The scripted {@link #mx} answers RCPT TO by the address:
 * <ul>
 * <li>any address at {@code catchall.example}: 250 (a domain that accepts every address);</li>
 * <li>local part {@code cbv-*} (the random one of the catch-all check) or {@code error*}: 550 5.1.1 User unknown;</li>
 * <li>{@code transient*}: 450 4.2.0 Greylisted;</li>
 * <li>{@code held*}: 250, and {@code slowerror*}: 550 5.1.1, once the test {@linkplain #release releases} the address;</li>
 * <li>anything else: 250.</li>
 * </ul>
 * In the tests it offers STARTTLS, as most mail servers do: the handler's default {@code tls may}
 * asks it everything inside TLS. The {@link #silent} MX accepts connections and never says a word.
 * Public for the benchmarks that call back through e2e nodes ({@link JamesNode}).
 */
public final class CallbackRemotes implements AutoCloseable {
    public final ScriptedSmtpServer mx;
    final ScriptedSmtpServer silent;
    final TestDnsServer dns;
    private final HeldAddresses held;

    private CallbackRemotes(ScriptedSmtpServer mx, ScriptedSmtpServer silent, TestDnsServer dns, HeldAddresses held) {
        this.mx = mx;
        this.silent = silent;
        this.dns = dns;
        this.held = held;
    }

    /** Starts the MXs and {@code records} (a DNS server not started yet), and publishes their ports. */
    static CallbackRemotes start(TestDnsServer records) {
        return start(records, Duration.ZERO, true);
    }

    /**
     * As {@link #start(TestDnsServer)}, the MX waiting {@code replyDelay} before each of its replies, as a distant one
     * would, and in clear text: the benchmark's numbers (docs/BENCHMARKS.md, issue 11) are without TLS.
     */
    public static CallbackRemotes start(TestDnsServer records, Duration replyDelay) {
        return start(records, replyDelay, false);
    }

    private static CallbackRemotes start(TestDnsServer records, Duration replyDelay, boolean startTls) {
        HeldAddresses held = new HeldAddresses();
        SmtpScript script = SmtpScript.standard().on("RCPT", line -> answer(SmtpScript.pathOf(line), held))
            .delayEachReply(replyDelay);
        ScriptedSmtpServer mx = ScriptedSmtpServer.start(startTls ? script.offeringStartTls() : script);
        ScriptedSmtpServer silent = ScriptedSmtpServer.start(SmtpScript.standard().greeting(Response.silence()));
        TestDnsServer dns = records.start();
        System.setProperty("cbv.it.mx", Integer.toString(mx.port()));
        System.setProperty("cbv.it.silent", Integer.toString(silent.port()));
        System.setProperty("cbv.it.dns", Integer.toString(dns.port()));
        return new CallbackRemotes(mx, silent, dns, held);
    }

    private static Response answer(String address, HeldAddresses held) {
        String local = address.substring(0, Math.max(0, address.indexOf('@')));
        String unknown = "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown";
        if (address.endsWith("@catchall.example")) {
            return Response.of("250 2.1.5 Ok");
        }
        if (local.startsWith("cbv-") || local.startsWith("error")) {
            return Response.of(unknown);
        }
        if (local.startsWith("transient")) {
            return Response.of("450 4.2.0 <" + address + ">: Recipient address rejected: Greylisted");
        }
        if (local.startsWith("held")) {
            return Response.of("250 2.1.5 Ok").awaiting(held.latch(address));
        }
        if (local.startsWith("slowerror")) {
            return Response.of(unknown).awaiting(held.latch(address));
        }
        return Response.of("250 2.1.5 Ok");
    }

    /** Lets the MX answer the held RCPT TO of {@code address} ({@code held*}, {@code slowerror*}). */
    void release(String address) {
        held.release(address);
    }

    /** How many callbacks the MX received for {@code address} (connections that sent RCPT TO it). */
    long probeCount(String address) {
        return callbacksFor(address).count();
    }

    /** Whether a callback for {@code address} has reached the MX's RCPT TO. */
    boolean sawRcpt(String address) {
        return probeCount(address) > 0;
    }

    /** The first callback the MX received for {@code address}. */
    ScriptedSmtpServer.Connection probeOf(String address) {
        return callbacksFor(address).findFirst()
            .orElseThrow(() -> new AssertionError("no callback for " + address + " in " + mx.connections()));
    }

    private Stream<ScriptedSmtpServer.Connection> callbacksFor(String address) {
        return mx.connections().stream().filter(c -> c.commands().contains("RCPT TO:<" + address + ">"));
    }

    @Override
    public void close() {
        held.releaseAll();
        mx.close();
        silent.close();
        dns.close();
    }
}
