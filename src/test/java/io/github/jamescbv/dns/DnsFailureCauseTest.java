package io.github.jamescbv.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.dns.MxResolution.Status;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xbill.DNS.Type;

/**
 * Why a resolution failed ({@link MxResolution#cause()}), against real sockets: a SERVFAIL or a
 * timeout may be the domain's doing; a resolver that cannot be reached at all is ours alone, and
 * only when every server of the list said so at the network level.
 */
class DnsFailureCauseTest {
    /** For servers that answer: ample. */
    private static final Duration ANSWERED = Duration.ofSeconds(2);
    /** For a server that stays silent: what a timeout costs the test. */
    private static final Duration SILENT = Duration.ofMillis(500);

    @RegisterExtension
    final ResolverFixture fixture = new ResolverFixture();

    @Test
    void aServfailIsServfail() throws Exception {
        fixture.dns().mx("example.com", 10, "mx1.example.com").servfail("example.com");

        MxResolution r = mx(resolver(ANSWERED), "example.com");

        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.cause()).contains(DnsFailure.SERVFAIL);
        assertThat(r.reason()).isEqualTo("MX lookup for example.com failed: SERVFAIL");
    }

    @Test
    void aSilentServerIsATimeout() throws Exception {
        fixture.dns().mx("example.com", 10, "mx1.example.com").silent("example.com");

        MxResolution r = mx(resolver(SILENT), "example.com");

        assertThat(r.cause()).contains(DnsFailure.TIMEOUT);
        assertThat(r.reason()).startsWith("MX lookup for example.com failed: timeout");
    }

    @Test
    void aSoleServerNobodyListensOnIsUnreachableAtOnceNotAfterTheTimeout() throws Exception {
        String dead = deadServer();
        DnsjavaMxResolver resolver = resolver(Duration.ofSeconds(5), dead);

        long start = System.nanoTime();
        MxResolution r = mx(resolver, "example.com");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.status()).isEqualTo(Status.TEMPFAIL);
        assertThat(r.cause()).contains(DnsFailure.RESOLVER_UNREACHABLE);
        assertThat(r.reason()).startsWith("MX lookup for example.com failed: resolver unreachable: no DNS server reachable (")
            .contains(dead.substring(dead.indexOf(':') + 1)).contains("PortUnreachableException");
        assertThat(took).as("the network said no one is there: no waiting").isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void everyServerUnreachableIsUnreachable() throws Exception {
        MxResolution r = mx(resolver(ANSWERED, deadServer(), deadServer()), "example.com");

        assertThat(r.cause()).contains(DnsFailure.RESOLVER_UNREACHABLE);
    }

    @Test
    void oneServerUnreachableAndTheOtherSilentIsATimeout() throws Exception {
        fixture.dns().silent("example.com");

        MxResolution r = mx(resolver(SILENT, deadServer(), fixture.dns().hostPort()), "example.com");

        assertThat(r.cause()).as("silence may be the name's doing").contains(DnsFailure.TIMEOUT);
    }

    @Test
    void oneServerUnreachableAndTheOtherAnsweringServfailIsServfail() throws Exception {
        fixture.dns().servfail("example.com");

        MxResolution r = mx(resolver(ANSWERED, deadServer(), fixture.dns().hostPort()), "example.com");

        assertThat(r.cause()).contains(DnsFailure.SERVFAIL);
    }

    @Test
    void oneServerUnreachableAndTheOtherAnsweringFindsTheHosts() throws Exception {
        fixture.dns().mx("example.com", 10, "mx1.example.com").a("mx1.example.com", "192.0.2.1");

        MxResolution r = mx(resolver(ANSWERED, deadServer(), fixture.dns().hostPort()), "example.com");

        assertThat(r.status()).isEqualTo(Status.FOUND);
        assertThat(r.cause()).isEmpty();
    }

    @Test
    void theMxHostsLookupsGiveTheirCause() throws Exception {
        fixture.dns().mx("a.example", 10, "mx.a.example").servfail("mx.a.example")
            .mx("b.example", 10, "mx.b.example").silent("mx.b.example")
            .exists("c.example").servfail("c.example", Type.A);
        DnsjavaMxResolver resolver = resolver(SILENT);

        assertThat(mx(resolver, "a.example").cause()).contains(DnsFailure.SERVFAIL);
        assertThat(mx(resolver, "b.example").cause()).contains(DnsFailure.TIMEOUT);
        assertThat(mx(resolver, "c.example").cause()).as("implicit MX").contains(DnsFailure.SERVFAIL);
        assertThat(await(resolver.resolveHost("mx.a.example")).cause()).contains(DnsFailure.SERVFAIL);
    }

    @Test
    void aCnameLoopIsAnotherFailure() throws Exception {
        fixture.dns().cname("loop1.example.com", "loop2.example.com").cname("loop2.example.com", "loop1.example.com");

        MxResolution r = mx(resolver(ANSWERED), "loop1.example.com");

        assertThat(r.cause()).contains(DnsFailure.OTHER);
    }

    @Test
    void aClosedResolverIsAnotherFailure() throws Exception {
        DnsjavaMxResolver resolver = resolver(ANSWERED);
        resolver.close();

        assertThat(mx(resolver, "example.com").cause()).contains(DnsFailure.OTHER);
    }

    @Test
    void definiteAnswersHaveNoCause() throws Exception {
        fixture.dns().nullMx("null.example");
        DnsjavaMxResolver resolver = resolver(ANSWERED);

        assertThat(mx(resolver, "nope.example").cause()).isEmpty();
        assertThat(mx(resolver, "null.example").cause()).isEmpty();
    }

    /** "127.0.0.1:PORT" where nothing listens: a UDP query there gets ICMP port unreachable. */
    private static String deadServer() throws SocketException {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return "127.0.0.1:" + probe.getLocalPort();
        }
    }

    private DnsjavaMxResolver resolver(Duration timeout, String... servers) {
        return fixture.resolver(timeout, servers);
    }

    private static MxResolution mx(DnsjavaMxResolver resolver, String domain) throws Exception {
        return await(resolver.resolveMx(domain));
    }

    private static MxResolution await(CompletionStage<MxResolution> stage) throws Exception {
        return ResolverFixture.await(stage);
    }
}
