package io.github.jamescbv.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How a {@link ScriptedSmtpServer} answers: the greeting, a {@link Response} per command verb,
 * and a delay before every reply. Immutable: every method returns a changed copy, so one
 * script can be shared by servers and tests.
 *
 * <pre>{@code
 * SmtpScript.standard()                                      // a server that accepts everything
 *     .on("MAIL", "550 5.7.1 go away")                        // fixed reply to a verb
 *     .rcpt(SmtpScript.knownUsers("alice@example.com"))       // 250 for alice, 550 5.1.1 for others
 *     .on("QUIT", Response.of("221 bye").after(Duration.ofSeconds(2)))
 *     .delayEachReply(Duration.ofMillis(200));                // slow server (greeting included)
 * }</pre>
 */
public final class SmtpScript {
    private final Response greeting;
    private final Map<String, Function<String, Response>> byVerb;
    private final Response unknown;
    private final Duration delay;
    private final Duration latency;

    private SmtpScript(Response greeting, Map<String, Function<String, Response>> byVerb, Response unknown,
                       Duration delay, Duration latency) {
        this.greeting = greeting;
        this.byVerb = Map.copyOf(byVerb);
        this.unknown = unknown;
        this.delay = delay;
        this.latency = latency;
    }

    /**
     * A server that accepts everything: 220 greeting, multi-line 250 to EHLO, 250 to HELO,
     * MAIL, RCPT, RSET and NOOP, 221 to QUIT followed by closing the connection, and
     * {@code 502 5.5.1} to anything else.
     */
    public static SmtpScript standard() {
        Map<String, Function<String, Response>> m = new HashMap<>();
        m.put("EHLO", fixed(Response.of("250-scripted.test greets you\n250-PIPELINING\n250 8BITMIME")));
        m.put("HELO", fixed(Response.of("250 scripted.test")));
        m.put("MAIL", fixed(Response.of("250 2.1.0 Ok")));
        m.put("RCPT", fixed(Response.of("250 2.1.5 Ok")));
        m.put("RSET", fixed(Response.of("250 2.0.0 Ok")));
        m.put("NOOP", fixed(Response.of("250 2.0.0 Ok")));
        m.put("QUIT", fixed(Response.of("221 2.0.0 Bye").thenClose()));
        return new SmtpScript(Response.of("220 scripted.test ESMTP ready"), m,
            Response.of("502 5.5.1 command not implemented"), Duration.ZERO, Duration.ZERO);
    }

    /**
     * This script, also offering STARTTLS: EHLO announces it (before TLS and after: the script does
     * not know which, a probe must not ask twice), STARTTLS gets 220 and the handshake
     * ({@link Response#startTls()}). The certificate is made now if it is not yet, not at the first
     * handshake: no probe of a test must wait a second for keytool.
     */
    public SmtpScript offeringStartTls() {
        TestTls.serverContext();
        return on("EHLO", Response.of("250-scripted.test greets you\n250-PIPELINING\n250-STARTTLS\n250 8BITMIME"))
            .on("STARTTLS", Response.of("220 2.0.0 Ready to start TLS").then(Response.startTls()));
    }

    public SmtpScript greeting(String reply) {
        return greeting(Response.of(reply));
    }

    /** What happens when a connection opens: any {@link Response}, e.g. {@link Response#silence()} or garbage. */
    public SmtpScript greeting(Response response) {
        return new SmtpScript(Objects.requireNonNull(response), byVerb, unknown, delay, latency);
    }

    /** The reply to {@code verb} (EHLO, HELO, MAIL, RCPT, RSET, QUIT, ...). */
    public SmtpScript on(String verb, String reply) {
        return on(verb, Response.of(reply));
    }

    public SmtpScript on(String verb, Response response) {
        return on(verb, fixed(Objects.requireNonNull(response)));
    }

    /** The answer to {@code verb} as a function of the whole command line (without CRLF). */
    public SmtpScript on(String verb, Function<String, Response> byCommandLine) {
        Map<String, Function<String, Response>> m = new HashMap<>(byVerb);
        m.put(verb.toUpperCase(Locale.ROOT), Objects.requireNonNull(byCommandLine));
        return new SmtpScript(greeting, m, unknown, delay, latency);
    }

    /** The reply to RCPT TO as a function of the address between the angle brackets, e.g. {@link #knownUsers}. */
    public SmtpScript rcpt(Function<String, String> replyByAddress) {
        return on("RCPT", line -> Response.of(replyByAddress.apply(pathOf(line))));
    }

    /** 250 for these addresses (case-insensitive), {@code 550 5.1.1} for every other. */
    public static Function<String, String> knownUsers(String... addresses) {
        Set<String> users = Set.of(addresses).stream().map(a -> a.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        return address -> users.contains(address.toLowerCase(Locale.ROOT))
            ? "250 2.1.5 Ok" : "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown";
    }

    /** Waits this long before every reply, the greeting included (e.g. 200 ms for benchmarks). */
    public SmtpScript delayEachReply(Duration d) {
        return new SmtpScript(greeting, byVerb, unknown, Objects.requireNonNull(d), latency);
    }

    /**
     * A remote this far away: each reply goes out no sooner than {@code d} after its command
     * arrived (the greeting: after the connection was accepted). Unlike {@link #delayEachReply},
     * commands that arrived together wait together, so a pipelined group (RFC 2920) costs one
     * such wait, as a round trip over a network does.
     */
    public SmtpScript latency(Duration d) {
        return new SmtpScript(greeting, byVerb, unknown, delay, Objects.requireNonNull(d));
    }

    Duration latency() {
        return latency;
    }

    Response greetingResponse() {
        return withDelay(greeting);
    }

    Response responseTo(String commandLine) {
        Function<String, Response> f = byVerb.get(verbOf(commandLine));
        return withDelay(f == null ? unknown : f.apply(commandLine));
    }

    private Response withDelay(Response r) {
        return delay.isZero() ? r : r.after(delay);
    }

    /** The upper-case first word: "MAIL" for "mail FROM:<a@b>". */
    public static String verbOf(String commandLine) {
        int space = commandLine.indexOf(' ');
        return (space < 0 ? commandLine : commandLine.substring(0, space)).toUpperCase(Locale.ROOT);
    }

    /** What is between the first '<' and the following '>', or "" (for "MAIL FROM:<>" too). */
    public static String pathOf(String commandLine) {
        int open = commandLine.indexOf('<');
        int close = open < 0 ? -1 : commandLine.indexOf('>', open);
        return close < 0 ? "" : commandLine.substring(open + 1, close);
    }

    private static Function<String, Response> fixed(Response r) {
        return line -> r;
    }
}
