package io.github.jamescbv.verify;

import io.github.jamescbv.core.Cidr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Refuses callback connections into networks that are not the public Internet. An MX
 * record is data from whoever controls the sender's domain: without this guard a forged
 * sender could make our server connect to 127.0.0.1:25, to hosts of our own LAN, or to
 * cloud metadata addresses. IPv6 addresses that embed an IPv4 address (compatible, NAT64,
 * 6to4) are judged by the embedded address.
 *
 * <p>{@code allowTargetNetworks} opens chosen networks only (an internal MX, a test bed on
 * 127.0.0.20/30), where {@code allowPrivateTargets} would open all of them: a forged MX
 * pointing at 127.0.0.1 or at the LAN is still refused.
 */
public final class TargetAddressGuard {
    private static final List<Named> REFUSED = List.of(
        new Named("0.0.0.0/8", "unspecified/this-network"),
        new Named("10.0.0.0/8", "private (RFC 1918)"),
        new Named("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
        new Named("127.0.0.0/8", "loopback"),
        new Named("169.254.0.0/16", "link-local"),
        new Named("172.16.0.0/12", "private (RFC 1918)"),
        new Named("192.0.0.0/24", "IETF protocol assignments"),
        new Named("192.0.2.0/24", "documentation (TEST-NET-1)"),
        new Named("192.88.99.0/24", "6to4 relay anycast"),
        new Named("192.168.0.0/16", "private (RFC 1918)"),
        new Named("198.18.0.0/15", "benchmarking (RFC 2544)"),
        new Named("198.51.100.0/24", "documentation (TEST-NET-2)"),
        new Named("203.0.113.0/24", "documentation (TEST-NET-3)"),
        new Named("224.0.0.0/4", "multicast"),
        new Named("240.0.0.0/4", "reserved"),
        new Named("::/128", "unspecified"),
        new Named("::1/128", "loopback"),
        new Named("100::/64", "discard-only (RFC 6666)"),
        new Named("2001::/23", "IETF protocol assignments"),
        new Named("2001:db8::/32", "documentation"),
        new Named("fc00::/7", "unique local (RFC 4193)"),
        new Named("fe80::/10", "link-local"),
        new Named("fec0::/10", "site-local (deprecated)"),
        new Named("ff00::/8", "multicast"));

    private static final Cidr IPV4_COMPATIBLE = Cidr.parse("::/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    private final boolean allowPrivate;
    private final List<Cidr> allowedNetworks;

    /**
     * @param allowPrivate    true to allow everything (tests, or a deliberate internal deployment)
     * @param allowedNetworks networks allowed although private, reserved or loopback; every other stays refused
     */
    public TargetAddressGuard(boolean allowPrivate, List<Cidr> allowedNetworks) {
        this.allowPrivate = allowPrivate;
        this.allowedNetworks = List.copyOf(allowedNetworks);
    }

    /** Empty when a callback may connect to {@code address}; otherwise why not. */
    public Optional<String> refusal(InetAddress address) {
        if (allowPrivate) {
            return Optional.empty();
        }
        InetAddress judged = embeddedIpv4(address).orElse(address);
        for (Cidr allowed : allowedNetworks) {
            // The embedded address too: a NAT64 address of an allowed IPv4 network reaches that network.
            if (allowed.contains(address) || allowed.contains(judged)) {
                return Optional.empty();
            }
        }
        for (Named n : REFUSED) {
            if (n.cidr.contains(judged)) {
                return Optional.of(address.getHostAddress() + " is " + n.name);
            }
        }
        return Optional.empty();
    }

    private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] a = address.getAddress();
        int offset;
        // IPv4-mapped addresses (::ffff:a.b.c.d) need no case: Java already turns them into Inet4Address.
        if (NAT64.contains(address)
            || (IPV4_COMPATIBLE.contains(address) && !isZeroOrOne(a))) {
            offset = 12;
        } else if (SIX_TO_FOUR.contains(address)) {
            offset = 2;
        } else {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(new byte[] {a[offset], a[offset + 1], a[offset + 2], a[offset + 3]}));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** :: and ::1 are judged as themselves, not as 0.0.0.0 and 0.0.0.1. */
    private static boolean isZeroOrOne(byte[] a) {
        for (int i = 0; i < 15; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[15] == 0 || a[15] == 1;
    }

    private static final class Named {
        final Cidr cidr;
        final String name;

        Named(String cidr, String name) {
            this.cidr = Cidr.parse(cidr);
            this.name = name;
        }
    }
}
