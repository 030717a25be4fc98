package io.github.jamescbv.testing;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.smtp.ProbeLimits;
import io.github.jamescbv.smtp.ProbeQuery;
import io.github.jamescbv.smtp.ProbeRequest;
import io.github.jamescbv.smtp.Route;
import io.github.jamescbv.smtp.TlsPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds {@link ProbeRequest}s for tests with sensible defaults: HELO name "probe.test", null
 * sender, recipient "user@example.com", 5 s connect, 10 s per reply, 30 s in total, clear text,
 * pipelining where offered (as the engine's default).
 * The deadline is computed when {@link #build()} is called.
 */
public final class TestProbeRequest {
    private final InetSocketAddress target;
    private String mxHost = "mx.example.com";
    private String heloName = "probe.test";
    private Optional<EmailAddress> mailFrom = Optional.empty();
    private EmailAddress recipient = address("user@example.com");
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration commandTimeout = Duration.ofSeconds(10);
    private Duration total = Duration.ofSeconds(30);
    private DialogListener listener = DialogListener.NONE;
    private List<EmailAddress> followUps = List.of();
    private TlsPolicy tls = TlsPolicy.NONE;
    private boolean pipelining = true;

    private TestProbeRequest(InetSocketAddress target) {
        this.target = target;
    }

    public static TestProbeRequest to(InetSocketAddress target) {
        return new TestProbeRequest(target);
    }

    public static TestProbeRequest to(ScriptedSmtpServer server) {
        return new TestProbeRequest(server.address());
    }

    public TestProbeRequest mxHost(String name) {
        this.mxHost = name;
        return this;
    }

    public TestProbeRequest heloName(String name) {
        this.heloName = name;
        return this;
    }

    /** The probe sender; null for the null sender {@code <>}. */
    public TestProbeRequest mailFrom(String sender) {
        this.mailFrom = sender == null ? Optional.empty() : Optional.of(address(sender));
        return this;
    }

    public TestProbeRequest recipient(String rcpt) {
        this.recipient = address(rcpt);
        return this;
    }

    public TestProbeRequest connectTimeout(Duration d) {
        this.connectTimeout = d;
        return this;
    }

    public TestProbeRequest commandTimeout(Duration d) {
        this.commandTimeout = d;
        return this;
    }

    /** Time from {@link #build()} to the deadline. */
    public TestProbeRequest total(Duration d) {
        this.total = d;
        return this;
    }

    public TestProbeRequest listener(DialogListener l) {
        this.listener = l;
        return this;
    }

    /** Recipients asked after the address was accepted (see {@link ProbeQuery#followUps()}). */
    public TestProbeRequest followUps(String... recipients) {
        List<EmailAddress> list = new ArrayList<>();
        for (String r : recipients) {
            list.add(address(r));
        }
        this.followUps = List.copyOf(list);
        return this;
    }

    public TestProbeRequest tls(TlsPolicy policy) {
        this.tls = policy;
        return this;
    }

    /** Whether MAIL FROM and RCPT TO may go out together to a server that announces PIPELINING. */
    public TestProbeRequest pipelining(boolean on) {
        this.pipelining = on;
        return this;
    }

    public ProbeRequest build() {
        return new ProbeRequest(new Route(target, mxHost, heloName, tls).withPipelining(pipelining), new ProbeQuery(mailFrom, recipient, followUps),
            new ProbeLimits(connectTimeout, commandTimeout, System.nanoTime() + total.toNanos(), Ticker.SYSTEM), listener);
    }

    /** Parses an address the test knows to be valid. */
    public static EmailAddress address(String s) {
        try {
            return EmailAddress.parse(s);
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
