package io.github.jamescbv.interop;

import io.github.jamescbv.testing.StartedInOrder;
import io.github.jamescbv.testing.peers.DnsmasqPeer;
import io.github.jamescbv.testing.peers.PostfixPeer;
import java.time.Duration;
import java.util.List;

/**
 * The remote world of the interop suite: a dnsmasq with the test zone and seven real Postfix
 * MXs, on loopback addresses of the interop range (127.0.0.20-39).
 *
 * <pre>
 * 127.0.0.20:53  dnsmasq, zone interop.test (and broken.test, whose lookups time out)
 * 127.0.0.21:25  Postfix "vmail": virtual mailboxes alice@ of known, multi, aonly, aaaaonly, plain; also [::1]:25;
 *                no STARTTLS
 * 127.0.0.22:25  Postfix "nullsender": refuses MAIL FROM:&lt;&gt;
 * 127.0.0.25:25  Postfix "latenull": refuses the null sender too, with Postfix's default
 *                smtpd_delay_reject = yes, so the refusal comes at RCPT TO
 * 127.0.0.23:25  Postfix "greylist": defers every new (client, sender, recipient) for 5 minutes
 * 127.0.0.24:25  Postfix "tarpit": holds every RCPT reply 5 s
 * 127.0.0.26:25  Postfix "tlsonly": smtpd_tls_security_level = encrypt, 530 to MAIL FROM before STARTTLS
 * 127.0.0.27:25  Postfix "selfsigned": offers STARTTLS (may) with a self-signed certificate for another name
 * 127.0.0.28:25  Postfix "many": mailboxes sender-N@many for N = 1..200 except every 20th (connection reuse);
 *                in_flow_delay 0
 * 127.0.0.29     nothing listens: connection refused
 * 127.0.0.30:25  Postfix "slowdown": smtpd_soft_error_limit 2, smtpd_error_sleep_time 2s: slows a
 *                session down after two refused recipients
 * 127.0.0.31:25  Postfix "impatient": smtpd_timeout 1s, so a connection we keep idle gets its
 *                "421 4.4.2 ... Error: timeout exceeded" and is closed
 * </pre>
 */
final class InteropPeers implements AutoCloseable {
    static final String ZONE = "interop.test";
    static final String DNS_ADDRESS = "127.0.0.20";
    static final String VMAIL = "127.0.0.21";
    static final String NULL_SENDER = "127.0.0.22";
    static final String GREYLIST = "127.0.0.23";
    static final String TARPIT = "127.0.0.24";
    static final String LATE_NULL = "127.0.0.25";
    static final String TLS_ONLY = "127.0.0.26";
    static final String SELF_SIGNED = "127.0.0.27";
    /** The subject of the self-signed peer's certificate: not the name its MX record gives it. */
    static final String OTHER_NAME = "another-name.example";
    static final String DEAD = "127.0.0.29";
    static final String MANY = "127.0.0.28";
    static final String SLOWDOWN = "127.0.0.30";
    static final String IMPATIENT = "127.0.0.31";
    /** Senders of many.interop.test: N = 1..{@value} */
    static final int MANY_SENDERS = 200;
    /** The smtpd_error_sleep_time of the slowdown peer. */
    static final Duration ERROR_SLEEP = Duration.ofSeconds(2);
    static final Duration TARPIT_DELAY = Duration.ofSeconds(5);

    final DnsmasqPeer dns;
    final PostfixPeer vmail;
    final PostfixPeer nullSender;
    final PostfixPeer greylist;
    final PostfixPeer tarpit;
    final PostfixPeer lateNull;
    final PostfixPeer tlsOnly;
    final PostfixPeer selfSigned;
    final PostfixPeer many;
    final PostfixPeer slowdown;
    final PostfixPeer impatient;
    private final StartedInOrder started;

    private InteropPeers(DnsmasqPeer dns, PostfixPeer vmail, PostfixPeer nullSender, PostfixPeer greylist,
                         PostfixPeer tarpit, PostfixPeer lateNull, PostfixPeer tlsOnly, PostfixPeer selfSigned,
                         PostfixPeer many, PostfixPeer slowdown, PostfixPeer impatient, StartedInOrder started) {
        this.dns = dns;
        this.vmail = vmail;
        this.nullSender = nullSender;
        this.greylist = greylist;
        this.tarpit = tarpit;
        this.lateNull = lateNull;
        this.tlsOnly = tlsOnly;
        this.selfSigned = selfSigned;
        this.many = many;
        this.slowdown = slowdown;
        this.impatient = impatient;
        this.started = started;
    }

    /** Starts them all; stops those already started when one fails. */
    static InteropPeers start(boolean ipv6) {
        StartedInOrder started = new StartedInOrder();
        try {
            DnsmasqPeer dns = started.add(zone().start());
            PostfixPeer.Builder vmailBuilder = PostfixPeer.builder("interop-vmail").listen(VMAIL)
                .mailboxes(alice("known"), alice("multi"), alice("aonly"), alice("aaaaonly"), alice("plain"));
            if (ipv6) {
                vmailBuilder.listen("::1");
            }
            PostfixPeer vmail = started.add(vmailBuilder.start());
            PostfixPeer nullSender = started.add(PostfixPeer.builder("interop-nullsender").listen(NULL_SENDER)
                .mailboxes(alice("nullsender")).rejectNullSender().start());
            PostfixPeer greylist = started.add(PostfixPeer.builder("interop-greylist").listen(GREYLIST)
                .mailboxes(alice("grey")).greylist(Duration.ofMinutes(5)).start());
            PostfixPeer tarpit = started.add(PostfixPeer.builder("interop-tarpit").listen(TARPIT)
                .mailboxes(alice("tarpit")).tarpit(TARPIT_DELAY).start());
            PostfixPeer lateNull = started.add(PostfixPeer.builder("interop-latenull").listen(LATE_NULL)
                .mailboxes(alice("latenull")).rejectNullSender().mainCf("smtpd_delay_reject", "yes").start());
            PostfixPeer tlsOnly = started.add(PostfixPeer.builder("interop-tlsonly").listen(TLS_ONLY)
                .mailboxes(alice("tlsonly")).tls("encrypt", "mx-tlsonly." + ZONE).start());
            PostfixPeer selfSigned = started.add(PostfixPeer.builder("interop-selfsigned").listen(SELF_SIGNED)
                .mailboxes(alice("selfsigned")).tls("may", OTHER_NAME).start());
            // in_flow_delay 0: each accepted RCPT TO opens a queue file that our RSET or QUIT abandons,
            // so no delivery ever gives smtpd's flow-control tokens back; after about a hundred,
            // Postfix would pause every RCPT reply 1 s (soak/SoakRemotes, docs/BENCHMARKS.md)
            PostfixPeer many = started.add(PostfixPeer.builder("interop-many").listen(MANY)
                .mailboxes(manyMailboxes()).mainCf("in_flow_delay", "0s").start());
            PostfixPeer slowdown = started.add(PostfixPeer.builder("interop-slowdown").listen(SLOWDOWN)
                .mailboxes(alice("slowdown")).mainCf("smtpd_soft_error_limit", "2")
                .mainCf("smtpd_error_sleep_time", ERROR_SLEEP.toSeconds() + "s").start());
            PostfixPeer impatient = started.add(PostfixPeer.builder("interop-impatient").listen(IMPATIENT)
                .mailboxes(alice("impatient")).mainCf("smtpd_timeout", "1s").start());
            return new InteropPeers(dns, vmail, nullSender, greylist, tarpit, lateNull, tlsOnly, selfSigned, many,
                slowdown, impatient, started);
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    static String alice(String subdomain) {
        return "alice@" + subdomain + "." + ZONE;
    }

    /** The N-th sender of many.interop.test. */
    static String manySender(int n) {
        return "sender-" + n + "@many." + ZONE;
    }

    /** Whether the N-th sender of many.interop.test has a mailbox: all but every 20th. */
    static boolean manySenderExists(int n) {
        return n % 20 != 0;
    }

    private static String[] manyMailboxes() {
        List<String> boxes = new java.util.ArrayList<>();
        for (int n = 1; n <= MANY_SENDERS; n++) {
            if (manySenderExists(n)) {
                boxes.add(manySender(n));
            }
        }
        return boxes.toArray(new String[0]);
    }

    private static DnsmasqPeer.Builder zone() {
        return DnsmasqPeer.builder(DNS_ADDRESS, 53).name("interop-dnsmasq")
            .zone(ZONE)
            .a("mx-vmail." + ZONE, VMAIL)
            .a("mx-nullsender." + ZONE, NULL_SENDER)
            .a("mx-grey." + ZONE, GREYLIST)
            .a("mx-tarpit." + ZONE, TARPIT)
            .a("mx-latenull." + ZONE, LATE_NULL)
            .a("mx-tlsonly." + ZONE, TLS_ONLY)
            .a("mx-selfsigned." + ZONE, SELF_SIGNED)
            .a("mx-dead." + ZONE, DEAD)
            .a("mx-many." + ZONE, MANY)
            .a("mx-slowdown." + ZONE, SLOWDOWN)
            .a("mx-impatient." + ZONE, IMPATIENT)
            .mx("many." + ZONE, 10, "mx-many." + ZONE)
            .mx("slowdown." + ZONE, 10, "mx-slowdown." + ZONE)
            .mx("impatient." + ZONE, 10, "mx-impatient." + ZONE)
            .a("mx-loopback." + ZONE, "127.0.0.1")
            .mx("known." + ZONE, 10, "mx-vmail." + ZONE)
            // several preferences: the best is dead, the second answers, the third is never asked
            .mx("multi." + ZONE, 10, "mx-dead." + ZONE)
            .mx("multi." + ZONE, 20, "mx-vmail." + ZONE)
            .mx("multi." + ZONE, 30, "mx-grey." + ZONE)
            .a("aonly." + ZONE, VMAIL)
            .aaaa("aaaaonly." + ZONE, "::1")
            .nullMx("nullmx." + ZONE)
            .mx("dangling." + ZONE, 10, "nowhere." + ZONE)
            .mx("loopback." + ZONE, 10, "mx-loopback." + ZONE)
            .mx("nullsender." + ZONE, 10, "mx-nullsender." + ZONE)
            .mx("grey." + ZONE, 10, "mx-grey." + ZONE)
            .mx("tarpit." + ZONE, 10, "mx-tarpit." + ZONE)
            .mx("latenull." + ZONE, 10, "mx-latenull." + ZONE)
            .mx("tlsonly." + ZONE, 10, "mx-tlsonly." + ZONE)
            .mx("selfsigned." + ZONE, 10, "mx-selfsigned." + ZONE)
            .mx("plain." + ZONE, 10, "mx-vmail." + ZONE)
            .failing("broken.test");
    }

    /**
     * The Postfix peers whose sessions must all end cleanly (the tarpit's cannot: we hang up on it;
     * nor the impatient one's: it times our idle connections out).
     */
    List<PostfixPeer> politePeers() {
        return List.of(vmail, nullSender, greylist, lateNull, tlsOnly, selfSigned, many, slowdown);
    }

    List<PostfixPeer> postfixes() {
        return List.of(vmail, nullSender, greylist, tarpit, lateNull, tlsOnly, selfSigned, many, slowdown, impatient);
    }

    @Override
    public void close() {
        started.close();
    }
}
