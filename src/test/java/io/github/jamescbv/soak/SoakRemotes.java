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
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The remote world of the soak run: a real dnsmasq and five real Postfix MXs on the soak range
 * of loopback addresses (127.0.0.40-49).
 *
 * <pre>
 * 127.0.0.40:53  dnsmasq, zone soak.test (and broken-soak.test, whose lookups time out)
 * 127.0.0.41:25  Postfix "soak-mx-a": virtual mailboxes of the even normal domains POOL-n00, -n02...
 * 127.0.0.42:25  Postfix "soak-mx-b": virtual mailboxes of the odd normal domains POOL-n01, -n03...
 *                (both with in_flow_delay 0, see below)
 * 127.0.0.43:25  Postfix "soak-slow": holds every RCPT reply 2 s (POOL-slow0, -slow1)
 * 127.0.0.44:25  Postfix "soak-nonull": refuses MAIL FROM:&lt;&gt; (POOL-nonull0, -nonull1)
 * 127.0.0.45:25  Postfix "soak-defer": answers every RCPT 450 (POOL-defer0, -defer1)
 * 127.0.0.46     nothing listens: connection refused (POOL-refused0)
 * POOL-nx0.soak.test  no such domain (NXDOMAIN); POOL-t0.broken-soak.test  DNS times out
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

    /**
     * The sender domains of a group in the pool {@code tag}: each pool has domains of its own, so
     * that what one pool's callbacks taught the cache about a domain (a refused null sender is
     * a fact about the whole domain) does not spare the other pool its callbacks.
     */
    static List<String> domainsOf(SenderGroup group, String tag) {
        switch (group) {
            case KNOWN:
            case UNKNOWN:
                return IntStream.range(0, NORMAL_DOMAINS).mapToObj(i -> String.format("%s-n%02d.%s", tag, i, ZONE))
                    .collect(Collectors.toList());
            case SLOW:
                return List.of(tag + "-slow0." + ZONE, tag + "-slow1." + ZONE);
            case NULL_SENDER_REFUSED:
                return List.of(tag + "-nonull0." + ZONE, tag + "-nonull1." + ZONE);
            case DEFERRING:
                return List.of(tag + "-defer0." + ZONE, tag + "-defer1." + ZONE);
            case REFUSED:
                return List.of(tag + "-refused0." + ZONE);
            case DNS_TIMEOUT:
                return List.of(tag + "-t0." + BROKEN_ZONE);
            case NXDOMAIN:
                return List.of(tag + "-nx0." + ZONE);
            default:
                throw new IllegalArgumentException(group.toString());
        }
    }

    /**
     * The MX address of the {@code index}th domain of a group (as {@link #domainsOf} lists them);
     * empty for the groups whose domains have no MX at all.
     */
    static Optional<String> mxOf(SenderGroup group, int index) {
        switch (group) {
            case KNOWN:
            case UNKNOWN:
                return Optional.of(index % 2 == 0 ? MX_A : MX_B);
            case SLOW:
                return Optional.of(SLOW);
            case NULL_SENDER_REFUSED:
                return Optional.of(NONULL);
            case DEFERRING:
                return Optional.of(DEFER);
            case REFUSED:
                return Optional.of(DEAD);
            default:
                return Optional.empty();
        }
    }

    /**
     * Starts dnsmasq, with an MX record for each sender domain that has one, and the Postfix
     * MXs; each Postfix knows, as its virtual mailboxes, the senders of its domains that are
     * meant to exist (all but the UNKNOWN group's).
     */
    static SoakRemotes start(Collection<Sender> senders) {
        Map<String, List<String>> mailboxes = new LinkedHashMap<>();
        for (String address : List.of(MX_A, MX_B, SLOW, NONULL, DEFER)) {
            mailboxes.put(address, new ArrayList<>());
        }
        Map<String, String> mxOfDomain = new LinkedHashMap<>();
        for (Sender s : senders) {
            s.mx.ifPresent(mx -> {
                mxOfDomain.put(s.domain(), mx);
                if (s.group != SenderGroup.UNKNOWN && mailboxes.containsKey(mx)) {
                    mailboxes.get(mx).add(s.address);
                }
            });
        }
        StartedInOrder started = new StartedInOrder();
        try {
            DnsmasqPeer dns = started.add(zone(mxOfDomain).start());
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

    private static DnsmasqPeer.Builder zone(Map<String, String> mxOfDomain) {
        Map<String, String> hosts = new LinkedHashMap<>();
        hosts.put(MX_A, "mx-a." + ZONE);
        hosts.put(MX_B, "mx-b." + ZONE);
        hosts.put(SLOW, "mx-slow." + ZONE);
        hosts.put(NONULL, "mx-nonull." + ZONE);
        hosts.put(DEFER, "mx-defer." + ZONE);
        hosts.put(DEAD, "mx-dead." + ZONE);
        DnsmasqPeer.Builder z = DnsmasqPeer.builder(DNS_ADDRESS, 53).name("soak-dnsmasq")
            .zone(ZONE)
            .failing(BROKEN_ZONE);
        hosts.forEach((address, host) -> z.a(host, address));
        // Names without a record (the NXDOMAIN group's) are NXDOMAIN: the zone is local.
        mxOfDomain.forEach((domain, mx) -> z.mx(domain, 10, hosts.get(mx)));
        return z;
    }

    @Override
    public void close() {
        started.close();
    }
}
