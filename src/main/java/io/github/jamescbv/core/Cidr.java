package io.github.jamescbv.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** An IPv4 or IPv6 network in CIDR notation, e.g. {@code 10.0.0.0/8} or {@code fc00::/7}. */
public final class Cidr {
    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private Cidr(byte[] network, int prefixLength, String text) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /**
     * Parses {@code address/len} or a bare address (a host network).
     *
     * @throws IllegalArgumentException naming the value when it is not an IP literal with a valid prefix
     */
    public static Cidr parse(String value) {
        String v = value == null ? "" : value.trim();
        int slash = v.indexOf('/');
        String addr = slash < 0 ? v : v.substring(0, slash);
        if (addr.isEmpty() || !addr.matches("[0-9a-fA-F:.]+")) {
            // Only literals: never let a configuration value trigger a DNS lookup.
            throw bad(value);
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw bad(value);
        }
        int len = bytes.length * 8;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(v.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw bad(value);
            }
            if (len < 0 || len > bytes.length * 8) {
                throw bad(value);
            }
        }
        return new Cidr(mask(bytes, len), len, v);
    }

    /** Networks separated by commas or white space; none in an empty text. */
    public static List<Cidr> parseList(String text) {
        List<Cidr> out = new ArrayList<>();
        for (String part : text.split("[,\\s]+")) {
            if (!part.isEmpty()) {
                out.add(parse(part));
            }
        }
        return out;
    }

    private static IllegalArgumentException bad(String value) {
        return new IllegalArgumentException("bad network '" + SafeText.clean(value, 60)
            + "' (expected an IP address or CIDR such as 10.0.0.0/8 or fc00::/7)");
    }

    private static byte[] mask(byte[] bytes, int len) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, len - i * 8));
            out[i] &= (byte) (0xff << (8 - bitsHere));
        }
        return out;
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return a.length == network.length && java.util.Arrays.equals(mask(a, prefixLength), network);
    }

    @Override
    public String toString() {
        return text;
    }
}
