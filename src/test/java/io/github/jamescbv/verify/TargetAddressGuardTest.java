package io.github.jamescbv.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jamescbv.core.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetAddressGuardTest {
    private final TargetAddressGuard guard = new TargetAddressGuard(false, List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.5.6.7", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "239.1.1.1", "240.0.0.1",
        "255.255.255.255", "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "::1", "::", "fe80::1",
        "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "::ffff:10.0.0.1", "64:ff9b::a00:1",
        "2002:7f00:1::1", "::127.0.0.1"})
    void refusesNonPublicAddresses(String ip) throws Exception {
        assertThat(guard.refusal(InetAddress.getByName(ip))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2a00:1450:4001::1",
        "64:ff9b::808:808", "2002:808:808::1"})
    void allowsPublicAddresses(String ip) throws Exception {
        assertThat(guard.refusal(InetAddress.getByName(ip))).isEmpty();
    }

    @Test
    void namesTheReason() throws Exception {
        assertThat(guard.refusal(InetAddress.getByName("127.0.0.1"))).contains("127.0.0.1 is loopback");
    }

    @Test
    void allowPrivateTargetsLetsEverythingThrough() throws Exception {
        assertThat(new TargetAddressGuard(true, List.of()).refusal(InetAddress.getByName("127.0.0.1"))).isEmpty();
    }

    @Test
    void allowedNetworksOpenOnlyThemselves() throws Exception {
        TargetAddressGuard g = new TargetAddressGuard(false, Cidr.parseList("127.0.0.20/30, ::1/128, 10.1.0.0/16"));
        assertThat(g.refusal(InetAddress.getByName("127.0.0.21"))).isEmpty();
        assertThat(g.refusal(InetAddress.getByName("127.0.0.23"))).isEmpty();
        assertThat(g.refusal(InetAddress.getByName("::1"))).isEmpty();
        assertThat(g.refusal(InetAddress.getByName("10.1.200.3"))).isEmpty();
        assertThat(g.refusal(InetAddress.getByName("127.0.0.1"))).contains("127.0.0.1 is loopback");
        assertThat(g.refusal(InetAddress.getByName("127.0.0.24"))).contains("127.0.0.24 is loopback");
        assertThat(g.refusal(InetAddress.getByName("10.2.0.1"))).contains("10.2.0.1 is private (RFC 1918)");
        assertThat(g.refusal(InetAddress.getByName("169.254.169.254"))).isPresent();
        assertThat(g.refusal(InetAddress.getByName("fe80::1"))).isPresent();
        assertThat(g.refusal(InetAddress.getByName("8.8.8.8"))).as("public addresses stay allowed").isEmpty();
    }

    @Test
    void anAllowedIpv4NetworkIsReachedThroughItsEmbeddingsToo() throws Exception {
        TargetAddressGuard g = new TargetAddressGuard(false, Cidr.parseList("10.1.0.0/16"));
        assertThat(g.refusal(InetAddress.getByName("64:ff9b::a01:203"))).as("NAT64 of 10.1.2.3").isEmpty();
        assertThat(g.refusal(InetAddress.getByName("64:ff9b::a02:203"))).as("NAT64 of 10.2.2.3").isPresent();
    }

    @Test
    void noAllowedNetworksIsTheStrictGuard() throws Exception {
        assertThat(new TargetAddressGuard(false, List.of()).refusal(InetAddress.getByName("127.0.0.21"))).isPresent();
    }

    @Test
    void networkListsAreSplitAtCommasAndSpaces() {
        assertThat(Cidr.parseList(" 127.0.0.20/30,::1  10.0.0.0/8 ")).extracting(Cidr::toString)
            .containsExactly("127.0.0.20/30", "::1", "10.0.0.0/8");
        assertThat(Cidr.parseList("")).isEmpty();
        assertThatThrownBy(() -> Cidr.parseList("127.0.0.20/30, mx.example")).hasMessageContaining("bad network 'mx.example'");
    }

    @Test
    void cidrParsingIsStrictAndNeverResolvesNames() throws Exception {
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("10.200.1.1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
        assertThat(Cidr.parse("192.0.2.7").contains(InetAddress.getByName("192.0.2.8"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).hasMessageContaining("bad network 'example.com/8'");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    }
}
