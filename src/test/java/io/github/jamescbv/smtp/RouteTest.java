package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** A route is the key of a connection: equal exactly when the connections are interchangeable. */
class RouteTest {
    private static final InetSocketAddress MX = new InetSocketAddress("192.0.2.1", 25);

    private static Route route(InetSocketAddress address, String mxHost, String heloName) {
        return new Route(address, mxHost, heloName);
    }

    @Test
    void theSameAddressHostAndNameAreOneRoute() {
        Route a = route(MX, "mx.example.com", "probe.test");
        Route b = route(new InetSocketAddress("192.0.2.1", 25), "mx.example.com", "probe.test");

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.tls()).isEqualTo(TlsPolicy.NONE);
        assertThat(new Route(MX, "mx.example.com", "probe.test", TlsPolicy.NONE)).isEqualTo(a);
    }

    @Test
    void theMxHostNameComparesWithoutCaseLikeDnsNames() {
        Route lower = route(MX, "mx.example.com", "probe.test");
        Route upper = route(MX, "MX.Example.COM", "probe.test");

        assertThat(upper).isEqualTo(lower).hasSameHashCodeAs(lower);
        assertThat(upper.mxHost()).as("kept as given, for logs").isEqualTo("MX.Example.COM");
    }

    @Test
    void anyOtherPartMakesAnotherRoute() {
        Route a = route(MX, "mx.example.com", "probe.test");

        assertThat(route(new InetSocketAddress("192.0.2.2", 25), "mx.example.com", "probe.test")).isNotEqualTo(a);
        assertThat(route(new InetSocketAddress("192.0.2.1", 2525), "mx.example.com", "probe.test")).isNotEqualTo(a);
        assertThat(route(MX, "mx2.example.com", "probe.test")).isNotEqualTo(a);
        assertThat(route(MX, "mx.example.com", "Probe.test")).as("the HELO name is what the server saw").isNotEqualTo(a);
        assertThat(route(MX, "mx.example.com", "other.test")).isNotEqualTo(a);
        assertThat(a).isNotEqualTo(null).isNotEqualTo("192.0.2.1:25");
        assertThat(a.withTls(TlsPolicy.MAY)).as("a clear-text connection is no STARTTLS one").isNotEqualTo(a);
        assertThat(a.withTls(TlsPolicy.MAY)).isNotEqualTo(a.withTls(TlsPolicy.ENCRYPT));
    }

    @Test
    void anotherTlsPolicyKeepsTheRest() {
        Route may = new Route(MX, "mx.example.com", "probe.test", TlsPolicy.MAY);

        assertThat(may.withTls(TlsPolicy.NONE)).isEqualTo(route(MX, "mx.example.com", "probe.test"));
    }

    @Test
    void pipeliningIsOnUnlessTurnedOffAndKeptAcrossTheClearTextRetry() {
        Route a = route(MX, "mx.example.com", "probe.test");
        Route off = new Route(MX, "mx.example.com", "probe.test", TlsPolicy.MAY).withPipelining(false);

        assertThat(a.pipelining()).isTrue();
        assertThat(off.pipelining()).isFalse();
        assertThat(off.withTls(TlsPolicy.NONE).pipelining()).as("the clear-text retry speaks as the first try").isFalse();
        assertThat(off.withTls(TlsPolicy.NONE)).isNotEqualTo(a).isEqualTo(a.withPipelining(false));
        assertThat(off.withPipelining(true).withTls(TlsPolicy.NONE)).isEqualTo(a).hasSameHashCodeAs(a);
    }

    @Test
    void theTlsPolicyIsReadAsWrittenInAnyCaseAndABadOneIsNamed() {
        assertThat(TlsPolicy.parse("may")).isEqualTo(TlsPolicy.MAY);
        assertThat(TlsPolicy.parse(" Encrypt ")).isEqualTo(TlsPolicy.ENCRYPT);
        assertThat(TlsPolicy.parse("none")).isEqualTo(TlsPolicy.NONE);
        assertThat(TlsPolicy.MAY.word()).isEqualTo("may");
        assertThatThrownBy(() -> TlsPolicy.parse("dane"))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("bad tls 'dane' (expected may, none or encrypt)");
    }

    @Test
    void describesItselfForLogs() {
        assertThat(route(MX, "mx.example.com", "probe.test").toString())
            .contains("192.0.2.1", "25", "mx.example.com", "probe.test", "NONE");
    }
}
