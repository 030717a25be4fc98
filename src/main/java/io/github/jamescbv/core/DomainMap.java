package io.github.jamescbv.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Momentum's {@code map}: the callback for a sender domain goes to another domain
 * ({@code yahoo.net -> yahoo.com}, RCPT TO becomes {@code local@yahoo.com}) or straight to
 * a host ({@code corp.example -> [mx.corp.example]:2525}, RCPT TO keeps the address).
 * Matched case-insensitively on the whole domain; no wildcards.
 */
public final class DomainMap {
    public static final DomainMap EMPTY = new DomainMap(Map.of());

    private final Map<String, String> entries;

    private DomainMap(Map<String, String> entries) {
        this.entries = entries;
    }

    /** A builder that checks each entry as it is added and names what is wrong. */
    public static Builder builder() {
        return new Builder();
    }

    public Map<String, String> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** Where the callback for {@code address} goes. */
    public CallbackTarget route(EmailAddress address) {
        String to = entries.get(address.domain());
        if (to == null) {
            return CallbackTarget.viaMx(address);
        }
        if (to.startsWith("[")) {
            HostPort hp = HostPort.parseBracketed(to);
            return CallbackTarget.direct(address, hp.host(), hp.port());
        }
        try {
            return CallbackTarget.viaMx(address, address.withDomain(to));
        } catch (InvalidAddressException e) {
            // The builder checked every target domain, so this cannot happen.
            throw new IllegalStateException(e);
        }
    }

    public static final class Builder {
        private final Map<String, String> entries = new LinkedHashMap<>();

        /**
         * @throws IllegalArgumentException naming the entry when {@code from} is not a domain or
         *                                  {@code to} is neither a domain nor {@code [host]} / {@code [host]:port}
         */
        public Builder add(String from, String to) {
            String f = normalizeDomain(from, "from");
            if (to == null || to.isBlank()) {
                throw new IllegalArgumentException("map entry for '" + f + "': missing target");
            }
            String t = to.trim();
            if (t.startsWith("[")) {
                HostPort.parseBracketed(t);
            } else {
                t = normalizeDomain(t, "to");
            }
            if (entries.putIfAbsent(f, t) != null) {
                throw new IllegalArgumentException("map entry for '" + f + "' given twice");
            }
            return this;
        }

        public DomainMap build() {
            return entries.isEmpty() ? EMPTY : new DomainMap(new LinkedHashMap<>(entries));
        }

        private static String normalizeDomain(String d, String what) {
            if (d == null || d.isBlank()) {
                throw new IllegalArgumentException("map entry: missing '" + what + "' domain");
            }
            String v = d.trim().toLowerCase(Locale.ROOT);
            if (v.endsWith(".")) {
                v = v.substring(0, v.length() - 1);
            }
            try {
                EmailAddress.checkHostName(v);
            } catch (InvalidAddressException e) {
                throw new IllegalArgumentException("map entry: bad '" + what + "' domain '"
                    + SafeText.clean(d, 80) + "': " + e.getMessage());
            }
            return v;
        }
    }
}
