package io.github.jamescbv.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.dns.MxResolution.Status;
import io.github.jamescbv.testing.TestDnsServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Type;

class DnsjavaMxResolverTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SHORT = Duration.ofMillis(500);

    @RegisterExtension
    final ResolverFixture fixture = new ResolverFixture();
    private TestDnsServer dns;

    @BeforeEach
    void dns() {
        dns = fixture.dns();
    }

    private DnsjavaMxResolver resolver(Duration timeout, String... servers) {
        return fixture.resolver(timeout, servers);
    }

    private static MxResolution await(CompletionStage<MxResolution> stage) throws Exception {
        return ResolverFixture.await(stage);
    }

    private MxResolution mx(String domain) throws Exception {
        return await(resolver(TIMEOUT).resolveMx(domain));
    }

    private static List<String> names(MxResolution r) {
        return r.hosts().stream().map(MxHost::name).collect(Collectors.toList());
    }

    private static List<String> addresses(MxHost h) {
        return h.addresses().stream().map(InetAddress::getHostAddress).collect(Collectors.toList());
    }

    // ---------------------------------------------------------------- MX found

    @Test
    void mxHostsComeInPreferenceOrderWithAThenAaaaAddresses() throws Exception {
        dns.mx("example.com", 20, "mx2.example.com")
            .mx("example.com", 10, "mx1.example.com")
            .mx("example.com", 30, "mx3.example.com")
            .a("mx1.example.com", "192.0.2.1")
            .aaaa("mx2.example.com", "2001:db8::2")
            .a("mx2.example.com", "192.0.2.2")
            .a("mx3.example.com", "192.0.2.3");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(r.implicit()).isFalse();
        assertThat(names(r)).containsExactly("mx1.example.com", "mx2.example.com", "mx3.example.com");
        assertThat(r.hosts()).extracting(MxHost::preference).containsExactly(10, 20, 30);
        assertThat(addresses(r.hosts().get(1))).containsExactly("192.0.2.2", "2001:db8:0:0:0:0:0:2");
    }

    @Test
    void equalPreferencesAreShuffledOnEveryCall() throws Exception {
        dns.mx("example.com", 10, "a.example.com").mx("example.com", 10, "b.example.com")
            .mx("example.com", 20, "c.example.com")
            .a("a.example.com", "192.0.2.1").a("b.example.com", "192.0.2.2").a("c.example.com", "192.0.2.3");
        DnsjavaMxResolver resolver = resolver(TIMEOUT);

        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            List<String> order = names(await(resolver.resolveMx("example.com")));
            assertThat(order.get(2)).isEqualTo("c.example.com");
            orders.add(order);
        }

        assertThat(orders).containsExactlyInAnyOrder(
            List.of("a.example.com", "b.example.com", "c.example.com"),
            List.of("b.example.com", "a.example.com", "c.example.com"));
    }

    @Test
    void atMostTenMxHostsAreResolved() throws Exception {
        for (int i = 0; i < 50; i++) {
            String host = String.format("mx%02d.example.com", i);
            dns.mx("example.com", 10 + i, host).a(host, "192.0.2." + (i + 1));
        }

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(r.hosts()).hasSize(MxPlan.MAX_HOSTS);
        assertThat(r.hosts().get(0).name()).isEqualTo("mx00.example.com");
        assertThat(r.hosts().get(9).name()).isEqualTo("mx09.example.com");
        int aQueries = 0;
        int aaaaQueries = 0;
        for (int i = 0; i < 50; i++) {
            String host = String.format("mx%02d.example.com", i);
            aQueries += dns.queries(host, Type.A);
            aaaaQueries += dns.queries(host, Type.AAAA);
            if (i >= 10) {
                assertThat(dns.queries(host, Type.A)).as(host).isZero();
            }
        }
        assertThat(aQueries).isEqualTo(10);
        assertThat(aaaaQueries).isEqualTo(10);
        assertThat(r.answers()).contains("example.com. MX: 50 hosts, resolving only the 10 most preferred");
    }

    @Test
    void cnameChainOfAnMxHostIsFollowed() throws Exception {
        dns.mx("example.com", 10, "alias.example.com")
            .cname("alias.example.com", "real.example.net")
            .a("real.example.net", "192.0.2.9");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(names(r)).containsExactly("alias.example.com");
        assertThat(addresses(r.hosts().get(0))).containsExactly("192.0.2.9");
        assertThat(r.answers()).contains("alias.example.com. CNAME real.example.net.", "real.example.net. A 192.0.2.9");
    }

    // ---------------------------------------------------------------- implicit MX

    @Test
    void implicitMxFromAOnly() throws Exception {
        dns.a("example.com", "192.0.2.10");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(r.implicit()).isTrue();
        assertThat(r.hosts()).hasSize(1);
        assertThat(r.hosts().get(0).name()).isEqualTo("example.com");
        assertThat(r.hosts().get(0).preference()).isZero();
        assertThat(addresses(r.hosts().get(0))).containsExactly("192.0.2.10");
    }

    @Test
    void implicitMxFromAaaaOnly() throws Exception {
        dns.aaaa("example.com", "2001:db8::10");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(r.implicit()).isTrue();
        assertThat(addresses(r.hosts().get(0))).containsExactly("2001:db8:0:0:0:0:0:10");
    }

    @Test
    void implicitMxFromAAndAaaa() throws Exception {
        dns.aaaa("example.com", "2001:db8::10").a("example.com", "192.0.2.10");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(r.implicit()).isTrue();
        assertThat(addresses(r.hosts().get(0))).containsExactly("192.0.2.10", "2001:db8:0:0:0:0:0:10");
    }

    @Test
    void noMxAndNoAddressIsNoMailHost() throws Exception {
        dns.exists("example.com");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.NO_MAIL_HOST);
        assertThat(r.hosts()).isEmpty();
        assertThat(r.reason()).contains("example.com has no MX and no A or AAAA record");
    }

    @Test
    void implicitMxWhoseAddressLookupFailsIsTempfail() throws Exception {
        dns.exists("example.com").servfail("example.com", Type.A);

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.reason()).isEqualTo("example.com has no MX, and A lookup for example.com failed: SERVFAIL");
    }

    @Test
    void implicitMxThroughACname() throws Exception {
        dns.cname("www.example.com", "web.example.net").a("web.example.net", "192.0.2.80");

        MxResolution r = mx("www.example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(r.implicit()).isTrue();
        assertThat(names(r)).containsExactly("www.example.com");
        assertThat(addresses(r.hosts().get(0))).containsExactly("192.0.2.80");
    }

    // ---------------------------------------------------------------- permanent failures

    @Test
    void nullMxMeansNoMail() throws Exception {
        dns.nullMx("example.com").a("example.com", "192.0.2.1");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.NULL_MX);
        assertThat(r.reason()).isEqualTo("null MX (RFC 7505): domain accepts no mail");
        assertThat(r.hosts()).isEmpty();
        assertThat(dns.queries("example.com", Type.A)).isZero();
        assertThat(r.answers()).contains("example.com. MX 0 .");
    }

    @Test
    void nullMxNextToRealMxIsIgnored() throws Exception {
        dns.nullMx("example.com").mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(names(r)).containsExactly("mx1.example.com");
        assertThat(r.answers()).anyMatch(l -> l.contains("ignored: a null MX next to other MX records"));
    }

    @Test
    void unknownDomainIsNxdomain() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com");

        MxResolution r = mx("nope.example");

        assertThat(r.status()).isEqualTo(Status.NXDOMAIN);
        assertThat(r.reason()).isEqualTo("NXDOMAIN for nope.example");
        assertThat(r.answers()).containsExactly("nope.example. MX: NXDOMAIN");
    }

    @Test
    void mxPointingAtANonexistentNameAloneIsNoMailHost() throws Exception {
        dns.mx("example.com", 10, "nowhere.example.net");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.NO_MAIL_HOST);
        assertThat(r.reason()).isEqualTo("no MX host of example.com has an address");
        assertThat(r.answers()).contains("nowhere.example.net. A: NXDOMAIN", "nowhere.example.net. AAAA: NXDOMAIN");
    }

    @Test
    void mxPointingAtANonexistentNameNextToAGoodOneIsFound() throws Exception {
        dns.mx("example.com", 10, "nowhere.example.net")
            .mx("example.com", 20, "mx2.example.com").a("mx2.example.com", "192.0.2.2");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(names(r)).containsExactly("nowhere.example.net", "mx2.example.com");
        assertThat(r.hosts().get(0).addresses()).isEmpty();
        assertThat(addresses(r.hosts().get(1))).containsExactly("192.0.2.2");
    }

    @Test
    void invalidDomainNameIsNxdomainWithoutAQuery() throws Exception {
        MxResolution empty = mx("");
        MxResolution doubleDot = mx("a..example.com");
        MxResolution longLabel = mx("x".repeat(64) + ".example.com");

        assertThat(List.of(empty, doubleDot, longLabel)).extracting(MxResolution::status).containsOnly(Status.NXDOMAIN);
        assertThat(longLabel.reason()).startsWith("not a valid DNS name");
        assertThat(dns.totalQueries()).isZero();
    }

    // ---------------------------------------------------------------- temporary failures

    @Test
    void servfailOnMxIsTempfail() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").servfail("example.com");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.reason()).isEqualTo("MX lookup for example.com failed: SERVFAIL");
        assertThat(r.answers()).containsExactly("example.com. MX: SERVFAIL");
    }

    @Test
    void servfailOnTheOnlyMxHostIsTempfail() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1").servfail("mx1.example.com");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.reason()).startsWith("no MX host of example.com has an address; ").contains("SERVFAIL");
    }

    @Test
    void servfailOnOneMxHostWhileAnotherHasAnAddressIsFound() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").servfail("mx1.example.com")
            .mx("example.com", 20, "mx2.example.com").a("mx2.example.com", "192.0.2.2");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(names(r)).containsExactly("mx1.example.com", "mx2.example.com");
        assertThat(r.hosts().get(0).addresses()).isEmpty();
    }

    @Test
    void silentServerIsTempfailWithinAboutTheTimeout() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").silent("example.com");
        DnsjavaMxResolver resolver = resolver(SHORT);

        long start = System.nanoTime();
        MxResolution r = resolver.resolveMx("example.com").toCompletableFuture().get(3, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.reason()).startsWith("MX lookup for example.com failed: timeout");
        assertThat(took).isBetween(SHORT.minusMillis(50), SHORT.plusMillis(700));
        // a sole server is asked twice: at once, and again at half the timeout
        assertThat(dns.queries("example.com", Type.MX)).isEqualTo(2);
    }

    @Test
    void hostWithAnAddressIsFoundEvenWhenItsOtherLookupTimesOut() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1").silent("mx1.example.com", Type.AAAA);

        MxResolution r = await(resolver(SHORT).resolveMx("example.com"));

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(addresses(r.hosts().get(0))).containsExactly("192.0.2.1");
        assertThat(r.answers()).anyMatch(l -> l.startsWith("mx1.example.com. AAAA: timeout"));
    }

    @Test
    void silentMxHostIsTempfailWithinTwoTimeouts() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").silent("mx1.example.com");

        long start = System.nanoTime();
        MxResolution r = await(resolver(SHORT).resolveMx("example.com"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.reason()).startsWith("no MX host of example.com has an address; A lookup for mx1.example.com failed: timeout");
        assertThat(took).isLessThan(SHORT.plusMillis(700));
    }

    @Test
    void cnameLoopEndsAsTempfail() throws Exception {
        dns.cname("loop1.example.com", "loop2.example.com").cname("loop2.example.com", "loop1.example.com");

        MxResolution r = await(resolver(TIMEOUT).resolveMx("loop1.example.com"));

        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.reason()).contains("CNAME chain too long or looping");
        assertThat(dns.queries("loop1.example.com", Type.MX)).isBetween(1, DnsjavaMxResolver.MAX_REDIRECTS + 1);
    }

    @Test
    void cnameLoopOfAnMxHostLeavesItWithoutAddress() throws Exception {
        dns.mx("example.com", 10, "loop1.example.com")
            .cname("loop1.example.com", "loop2.example.com").cname("loop2.example.com", "loop1.example.com");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.reason()).contains("CNAME chain too long or looping");
    }

    // ---------------------------------------------------------------- resolveHost

    @Test
    void resolveHostOfAnIpv4LiteralAsksNoDns() throws Exception {
        MxResolution r = await(resolver(TIMEOUT).resolveHost("192.0.2.7"));

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(names(r)).containsExactly("192.0.2.7");
        assertThat(addresses(r.hosts().get(0))).containsExactly("192.0.2.7");
        assertThat(dns.totalQueries()).isZero();
    }

    @Test
    void resolveHostOfAnIpv6LiteralAsksNoDns() throws Exception {
        DnsjavaMxResolver resolver = resolver(TIMEOUT);

        MxResolution plain = await(resolver.resolveHost("2001:db8::7"));
        MxResolution tagged = await(resolver.resolveHost("[IPv6:2001:DB8::7]"));

        for (MxResolution r : List.of(plain, tagged)) {
            assertThat(r.status()).isEqualTo(Status.FOUND);
            assertThat(names(r)).containsExactly("2001:db8::7");
            assertThat(addresses(r.hosts().get(0))).containsExactly("2001:db8:0:0:0:0:0:7");
        }
        assertThat(dns.totalQueries()).isZero();
    }

    @Test
    void resolveHostOfANameAsksAAndAaaa() throws Exception {
        dns.a("smtp.example.com", "192.0.2.5").aaaa("smtp.example.com", "2001:db8::5");

        MxResolution r = await(resolver(TIMEOUT).resolveHost("SMTP.example.com."));

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(r.hosts()).hasSize(1);
        assertThat(r.hosts().get(0).name()).isEqualTo("smtp.example.com");
        assertThat(r.hosts().get(0).preference()).isZero();
        assertThat(addresses(r.hosts().get(0))).containsExactly("192.0.2.5", "2001:db8:0:0:0:0:0:5");
        assertThat(dns.queries("smtp.example.com", Type.MX)).isZero();
    }

    @Test
    void resolveHostFailures() throws Exception {
        dns.exists("noaddress.example.com").servfail("broken.example.com");
        DnsjavaMxResolver resolver = resolver(TIMEOUT);

        assertThat(await(resolver.resolveHost("nope.example.com")).status()).isEqualTo(Status.NXDOMAIN);
        assertThat(await(resolver.resolveHost("noaddress.example.com")).status()).isEqualTo(Status.NO_MAIL_HOST);
        MxResolution broken = await(resolver.resolveHost("broken.example.com"));
        assertThat(broken.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(broken.reason()).isEqualTo("A lookup for broken.example.com failed: SERVFAIL");
    }

    // ---------------------------------------------------------------- answers

    @Test
    void answersTellWhatDnsSaid() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1");

        MxResolution r = mx("example.com");

        assertThat(r.answers()).containsExactly(
            "example.com. MX 10 mx1.example.com.",
            "mx1.example.com. A 192.0.2.1",
            "mx1.example.com. AAAA: no records (NODATA)");
    }

    @Test
    void answersAndReasonsCarryNoControlCharacters() throws Exception {
        // \010 in a label: dnsjava prints it escaped, and SafeText would catch anything else
        dns.mx("example.com", 10, "bad\\010name.example.com");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.NO_MAIL_HOST);
        assertThat(String.join("", r.answers()) + r.reason() + r.hosts()).doesNotContainPattern("[\\x00-\\x1f\\x7f]");
    }

    // ---------------------------------------------------------------- servers, transport, cache

    @Test
    void deadFirstServerFallsBackToTheSecond() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1");
        int deadPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            deadPort = probe.getLocalPort(); // closed again: nothing listens there
        }

        MxResolution r = await(resolver(TIMEOUT, "127.0.0.1:" + deadPort, dns.hostPort()).resolveMx("example.com"));

        assertThat(r.status()).isEqualTo(Status.FOUND);
    }

    @Test
    void silentFirstServerFallsBackToTheSecondWithinTheTimeout() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1");
        try (DatagramSocket blackHole = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            DnsjavaMxResolver resolver = resolver(Duration.ofSeconds(1), "127.0.0.1:" + blackHole.getLocalPort(), dns.hostPort());

            long start = System.nanoTime();
            MxResolution r = await(resolver.resolveMx("example.com"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(r.status()).isEqualTo(Status.FOUND);
            // each of the two rounds (MX, then A/AAAA) waits half the timeout for the black hole
            assertThat(took).isLessThan(Duration.ofMillis(1800));
        }
    }

    @Test
    void aLostQueryToASoleServerIsRetriedWithinTheTimeout() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1").lose("example.com", 1);

        long start = System.nanoTime();
        MxResolution r = await(resolver(Duration.ofSeconds(1)).resolveMx("example.com"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(dns.queries("example.com", Type.MX)).isEqualTo(2);
        assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofMillis(1000));
    }

    @Test
    void truncatedUdpAnswerIsRetriedOverTcp() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1").truncate("example.com");

        MxResolution r = mx("example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(dns.tcpQueries()).isEqualTo(1);
        assertThat(dns.queries("example.com", Type.MX)).isEqualTo(2);
    }

    @Test
    void nothingIsCachedBetweenCalls() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1");
        DnsjavaMxResolver resolver = resolver(TIMEOUT);
        assertThat(await(resolver.resolveMx("example.com")).status()).isEqualTo(Status.FOUND);

        dns.remove("example.com").nullMx("example.com");

        assertThat(await(resolver.resolveMx("example.com")).status()).isEqualTo(Status.NULL_MX);
        assertThat(dns.queries("example.com", Type.MX)).isEqualTo(2);
    }

    // ---------------------------------------------------------------- threads and life cycle

    @Test
    void stagesCompleteOnTheResolversThreads() throws Exception {
        // the silent AAAA holds the answer back for 500ms: long after thenApply below is attached
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1").silent("mx1.example.com", Type.AAAA);
        DnsjavaMxResolver resolver = resolver(SHORT);

        String thread = resolver.resolveMx("example.com")
            .thenApply(r -> Thread.currentThread().getName())
            .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(thread).matches("cbv-dns-\\d+");
    }

    @Test
    void stagesCompleteOnTheCallersExecutorWhenGiven() throws Exception {
        dns.mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1").silent("mx1.example.com", Type.AAAA);
        ExecutorService callers = Executors.newSingleThreadExecutor(r -> new Thread(r, "callers-thread"));
        try {
            DnsjavaMxResolver resolver = new DnsjavaMxResolver(List.of(dns.hostPort()), SHORT, callers);
            fixture.closeAfter(resolver);

            String thread = resolver.resolveMx("example.com")
                .thenApply(r -> Thread.currentThread().getName())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(thread).isEqualTo("callers-thread");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void closeCompletesResolutionsInFlightAndLaterCalls() throws Exception {
        dns.silent("example.com");
        DnsjavaMxResolver resolver = resolver(Duration.ofSeconds(30));
        CompletableFuture<MxResolution> inFlight = resolver.resolveMx("example.com").toCompletableFuture();

        resolver.close();

        MxResolution r = inFlight.get(2, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.reason()).startsWith("internal: ");
        MxResolution later = await(resolver.resolveMx("example.com"));
        assertThat(later.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(later.reason()).isEqualTo("internal: the DNS resolver is closed");
    }

    @Test
    void thousandConcurrentResolutionsNeedNoExtraThreads() throws Exception {
        for (int i = 0; i < 1000; i++) {
            dns.mx("d" + i + ".example.com", 10, "mx" + (i % 20) + ".example.net");
        }
        for (int i = 0; i < 20; i++) {
            dns.a("mx" + i + ".example.net", "192.0.2." + (i + 1));
        }
        DnsjavaMxResolver resolver = resolver(Duration.ofSeconds(10));
        // warm up: starts dnsjava's selector thread, which exists once per JVM anyway
        assertThat(await(resolver.resolveMx("d0.example.com")).status()).isEqualTo(Status.FOUND);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int before = threads.getThreadCount();
        threads.resetPeakThreadCount();

        List<CompletableFuture<MxResolution>> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            all.add(resolver.resolveMx("d" + i + ".example.com").toCompletableFuture());
        }
        int whileInFlight = threads.getThreadCount();
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        int peak = threads.getPeakThreadCount();

        assertThat(all).allSatisfy(f -> assertThat(f.join().status()).isEqualTo(Status.FOUND));
        assertThat(whileInFlight - before).isLessThanOrEqualTo(8);
        assertThat(peak - before).isLessThanOrEqualTo(8);
    }
}
