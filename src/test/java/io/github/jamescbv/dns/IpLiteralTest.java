package io.github.jamescbv.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpLiteralTest {

    @Test
    void recognisesIpv4AndIpv6InTheirUsualSpellings() {
        assertThat(IpLiteral.parse("192.0.2.1").map(InetAddress::getHostAddress)).hasValue("192.0.2.1");
        assertThat(IpLiteral.parse("[192.0.2.1]").map(InetAddress::getHostAddress)).hasValue("192.0.2.1");
        assertThat(IpLiteral.parse("2001:db8::1").map(InetAddress::getHostAddress)).hasValue("2001:db8:0:0:0:0:0:1");
        assertThat(IpLiteral.parse("[IPv6:2001:DB8::1]").map(InetAddress::getHostAddress)).hasValue("2001:db8:0:0:0:0:0:1");
        assertThat(IpLiteral.bare("[IPv6:2001:DB8::1]")).isEqualTo("2001:db8::1");
    }

    @Test
    void namesAndNearMissesAreNotLiterals() {
        assertThat(IpLiteral.parse("mx.example.com")).isEmpty();
        assertThat(IpLiteral.parse("192.0.2")).isEmpty();
        assertThat(IpLiteral.parse("192.0.2.256")).isEmpty();
        assertThat(IpLiteral.parse("1.2.3.4.example.com")).isEmpty();
        assertThat(IpLiteral.parse("2001:db8::zz")).isEmpty();
    }
}
