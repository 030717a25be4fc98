package io.github.jamescbv.core;

import java.util.Locale;

/** A host with an optional port: {@code [host]}, {@code [host]:port}, {@code host}, {@code host:port}, IPv6 in brackets. */
public final class HostPort {
    private final String host;
    private final int port;

    private HostPort(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public String host() {
        return host;
    }

    /** 0 when none was given. */
    public int port() {
        return port;
    }

    /** Parses {@code [host]} or {@code [host]:port} (a map target). */
    public static HostPort parseBracketed(String s) {
        String v = s.trim();
        int close = v.indexOf(']');
        if (!v.startsWith("[") || close < 2) {
            throw new IllegalArgumentException("bad host '" + SafeText.clean(s, 80) + "' (expected [host] or [host]:port)");
        }
        String host = v.substring(1, close);
        String rest = v.substring(close + 1);
        int port = 0;
        if (!rest.isEmpty()) {
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("bad host '" + SafeText.clean(s, 80) + "' (expected [host] or [host]:port)");
            }
            port = parsePort(rest.substring(1), s);
        }
        return new HostPort(checkHost(host, s), port);
    }

    /** Parses {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port} (a DNS server). */
    public static HostPort parse(String s) {
        String v = s == null ? "" : s.trim();
        if (v.startsWith("[")) {
            return parseBracketed(v);
        }
        int colon = v.indexOf(':');
        if (colon >= 0 && v.indexOf(':', colon + 1) >= 0) {
            return new HostPort(checkHost(v, s), 0); // bare IPv6 address
        }
        if (colon >= 0) {
            return new HostPort(checkHost(v.substring(0, colon), s), parsePort(v.substring(colon + 1), s));
        }
        return new HostPort(checkHost(v, s), 0);
    }

    public static int parsePort(String p, String context) {
        try {
            int port = Integer.parseInt(p.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("bad port '" + SafeText.clean(p, 20) + "' in '"
            + SafeText.clean(context, 80) + "' (expected 1-65535)");
    }

    private static String checkHost(String host, String context) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.isEmpty() || h.length() > 255) {
            throw new IllegalArgumentException("bad host in '" + SafeText.clean(context, 80) + "'");
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '_';
            if (!ok) {
                throw new IllegalArgumentException("bad character in host '" + SafeText.clean(context, 80) + "'");
            }
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return port == 0 ? h : h + ":" + port;
    }
}
