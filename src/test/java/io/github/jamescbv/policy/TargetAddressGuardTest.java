package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TargetAddressGuardTest {
    private final TargetAddressGuard guard = new TargetAddressGuard(false);

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
        assertThat(new TargetAddressGuard(true).refusal(InetAddress.getByName("127.0.0.1"))).isEmpty();
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
