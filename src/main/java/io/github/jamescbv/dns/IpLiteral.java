package io.github.jamescbv.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.Address;

/**
 * Recognises IP address literals without touching DNS. {@link InetAddress#getByName} would
 * also accept literals, but silently falls back to a blocking system lookup for anything
 * else, which is exactly what must not happen on the resolver's threads.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /**
     * The address {@code text} spells, if it is an IPv4 dotted quad or an IPv6 address, with
     * optional brackets and RFC 5321 "IPv6:" tag ({@code [IPv6:2001:db8::1]}); else empty.
     */
    public static Optional<InetAddress> parse(String text) {
        String v = bare(text);
        byte[] bytes = null;
        if (Address.isDottedQuad(v)) {
            bytes = Address.toByteArray(v, Address.IPv4);
        } else if (v.indexOf(':') >= 0) {
            bytes = Address.toByteArray(v, Address.IPv6);
        }
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty(); // only thrown for a wrong length, which toByteArray never returns
        }
    }

    /** {@code text} without brackets and "IPv6:" tag, lower case: how the literal is named in results. */
    static String bare(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        if (v.startsWith("ipv6:")) {
            v = v.substring("ipv6:".length());
        }
        return v;
    }
}
