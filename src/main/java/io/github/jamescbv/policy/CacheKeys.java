package io.github.jamescbv.policy;

import java.util.Locale;

/**
 * Cache keys: the domain is case-insensitive (RFC 5321 section 2.4), the local part is not,
 * so only the domain is lower-cased. Callers normally pass it lower-cased already; the scan
 * then returns the string itself and a lookup allocates nothing.
 */
final class CacheKeys {
    private CacheKeys() {
    }

    static String address(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0 || !needsLowerCase(address, at + 1)) {
            return address;
        }
        return address.substring(0, at + 1) + address.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    static String domain(String domain) {
        return needsLowerCase(domain, 0) ? domain.toLowerCase(Locale.ROOT) : domain;
    }

    /** ASCII upper case, or anything non-ASCII (left to {@link String#toLowerCase} to judge). */
    private static boolean needsLowerCase(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'A' && c <= 'Z') || c >= 0x80) {
                return true;
            }
        }
        return false;
    }
}
