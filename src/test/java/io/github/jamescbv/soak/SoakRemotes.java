package io.github.jamescbv.soak;

import io.github.jamescbv.soak.SoakSenders.Sender;
import io.github.jamescbv.testing.StartedInOrder;
import io.github.jamescbv.testing.peers.DnsmasqPeer;
import io.github.jamescbv.testing.peers.PostfixLog;
import io.github.jamescbv.testing.peers.PostfixPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The remote world of the soak run: a real dnsmasq and five real Postfix MXs on the soak range
 * of loopback addresses (127.0.0.40-49).
 *
 * <pre>
 * 127.0.0.40:53  dnsmasq, zone soak.test (and broken-soak.test, whose lookups time out)
 * 127.0.0.41:25  Postfix "soak-mx-a": virtual mailboxes of the even normal domains n00, n02...
 * 127.0.0.42:25  Postfix "soak-mx-b": virtual mailboxes of the odd normal domains n01, n03...
 *                (both with in_flow_delay 0, see below)
 * 127.0.0.43:25  Postfix "soak-slow": holds every RCPT reply 2 s (domains slow0, slow1)
 * 127.0.0.44:25  Postfix "soak-nonull": refuses MAIL FROM:&lt;&gt; (nonull0, nonull1)
 * 127.0.0.45:25  Postfix "soak-defer": answers every RCPT 450 (defer0, defer1)
 * 127.0.0.46     nothing listens: connection refused (refused0)
 * nx0.soak.test  no such domain (NXDOMAIN)
 * </pre>
 *
 * <p>Postfix's flow control ({@code in_flow_delay}, 1 s by default) pauses smtpd before it opens
 * a queue file whenever mail arrives faster than Postfix delivers it. A callback's accepted RCPT
 * opens a queue file that is never delivered, and these peers receive nothing but callbacks, so
 * with the default every accepted callback waited up to a second (measured: 568 ms on average
 * against 14 ms without). A real MX delivers real mail between callbacks; here the normal MXs
 * turn the pause off, so that the run measures James and the handler, not an idle Postfix's
 * token bucket. The slow MX keeps its own, deliberate, delay.
 */
final class SoakRemotes implements AutoCloseable {
    static final String ZONE = "soak.test";
    static final String BROKEN_ZONE = "broken-soak.test";
    static final String DNS_ADDRESS = "127.0.0.40";
    static final String MX_A = "127.0.0.41";
    static final String MX_B = "127.0.0.42";
    static final String SLOW = "127.0.0.43";
    static final String NONULL = "127.0.0.44";
    static final String DEFER = "127.0.0.45";
    static final String DEAD = "127.0.0.46";
    static final int NORMAL_DOMAINS = 20;
    static final Duration TARPIT_DELAY = Duration.ofSeconds(2);

    final DnsmasqPeer dns;
    final List<PostfixPeer> postfixes;
    private final StartedInOrder started;

    private SoakRemotes(DnsmasqPeer dns, List<PostfixPeer> postfixes, StartedInOrder started) {
        this.dns = dns;
        this.postfixes = List.copyOf(postfixes);
        this.started = started;
    }

    /** The sender domains of a group. */
    static List<String> domainsOf(SenderGroup group) {
        switch (group) {
            case KNOWN:
            case UNKNOWN:
                return IntStream.range(0, NORMAL_DOMAINS).mapToObj(SoakRemotes::normalDomain).collect(Collectors.toList());
            case SLOW:
                return List.of("slow0." + ZONE, "slow1." + ZONE);
            case NULL_SENDER_REFUSED:
                return List.of("nonull0." + ZONE, "nonull1." + ZONE);
            case DEFERRING:
                return List.of("defer0." + ZONE, "defer1." + ZONE);
            case REFUSED:
                return List.of("refused0." + ZONE);
            case DNS_TIMEOUT:
                return List.of("t0." + BROKEN_ZONE);
            case NXDOMAIN:
                return List.of("nx0." + ZONE);
            default:
                throw new IllegalArgumentException(group.toString());
        }
    }

    /**
     * Starts dnsmasq and the Postfix MXs; each Postfix knows, as its virtual mailboxes, the
     * senders of its domains that are meant to exist (all but the UNKNOWN group's).
     */
    static SoakRemotes start(Collection<Sender> senders) {
        Map<String, List<String>> mailboxes = new LinkedHashMap<>();
        for (String address : List.of(MX_A, MX_B, SLOW, NONULL, DEFER)) {
            mailboxes.put(address, new ArrayList<>());
        }
        for (Sender s : senders) {
            if (s.group != SenderGroup.UNKNOWN) {
                String mx = mxAddressOf(s.domain());
                if (mailboxes.containsKey(mx)) {
                    mailboxes.get(mx).add(s.address);
                }
            }
        }
        StartedInOrder started = new StartedInOrder();
        try {
            DnsmasqPeer dns = started.add(zone().start());
            List<PostfixPeer> postfixes = new ArrayList<>();
            postfixes.add(started.add(postfix("soak-mx-a", MX_A, mailboxes).mainCf("in_flow_delay", "0s").start()));
            postfixes.add(started.add(postfix("soak-mx-b", MX_B, mailboxes).mainCf("in_flow_delay", "0s").start()));
            postfixes.add(started.add(postfix("soak-slow", SLOW, mailboxes).tarpit(TARPIT_DELAY).start()));
            postfixes.add(started.add(postfix("soak-nonull", NONULL, mailboxes).rejectNullSender().start()));
            // "defer" is Postfix's generic restriction: 450 to every RCPT TO.
            postfixes.add(started.add(postfix("soak-defer", DEFER, mailboxes)
                .mainCf("smtpd_recipient_restrictions", "defer").start()));
            return new SoakRemotes(dns, postfixes, started);
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    /** Every smtpd session each Postfix has logged so far (our callbacks), by peer name. */
    Map<String, List<PostfixLog.SmtpdSession>> sessions() {
        Map<String, List<PostfixLog.SmtpdSession>> sessions = new LinkedHashMap<>();
        for (PostfixPeer p : postfixes) {
            sessions.put(p.name(), p.log().sessions());
        }
        return sessions;
    }

    private static PostfixPeer.Builder postfix(String name, String address, Map<String, List<String>> mailboxes) {
        PostfixPeer.Builder b = PostfixPeer.builder(name).listen(address);
        List<String> known = mailboxes.get(address);
        if (!known.isEmpty()) {
            b.mailboxes(known.toArray(new String[0]));
        }
        return b;
    }

    private static String normalDomain(int i) {
        return String.format("n%02d.%s", i, ZONE);
    }

    /** Where the zone below sends a domain's mail. */
    private static String mxAddressOf(String domain) {
        for (int i = 0; i < NORMAL_DOMAINS; i++) {
            if (domain.equals(normalDomain(i))) {
                return i % 2 == 0 ? MX_A : MX_B;
            }
        }
        if (domain.startsWith("slow")) {
            return SLOW;
        }
        if (domain.startsWith("nonull")) {
            return NONULL;
        }
        if (domain.startsWith("defer")) {
            return DEFER;
        }
        return DEAD;
    }

    private static DnsmasqPeer.Builder zone() {
        DnsmasqPeer.Builder z = DnsmasqPeer.builder(DNS_ADDRESS, 53).name("soak-dnsmasq")
            .zone(ZONE)
            .a("mx-a." + ZONE, MX_A)
            .a("mx-b." + ZONE, MX_B)
            .a("mx-slow." + ZONE, SLOW)
            .a("mx-nonull." + ZONE, NONULL)
            .a("mx-defer." + ZONE, DEFER)
            .a("mx-dead." + ZONE, DEAD)
            .failing(BROKEN_ZONE);
        for (SenderGroup g : SenderGroup.values()) {
            if (g == SenderGroup.UNKNOWN || g == SenderGroup.DNS_TIMEOUT || g == SenderGroup.NXDOMAIN) {
                continue; // UNKNOWN shares KNOWN's domains; the other two must have no records
            }
            for (String domain : domainsOf(g)) {
                z.mx(domain, 10, mxHostOf(mxAddressOf(domain)));
            }
        }
        return z;
    }

    private static String mxHostOf(String address) {
        switch (address) {
            case MX_A:
                return "mx-a." + ZONE;
            case MX_B:
                return "mx-b." + ZONE;
            case SLOW:
                return "mx-slow." + ZONE;
            case NONULL:
                return "mx-nonull." + ZONE;
            case DEFER:
                return "mx-defer." + ZONE;
            default:
                return "mx-dead." + ZONE;
        }
    }

    @Override
    public void close() {
        started.close();
    }
}
