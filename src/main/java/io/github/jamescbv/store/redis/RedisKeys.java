package io.github.jamescbv.store.redis;

import io.github.jamescbv.policy.CacheScope;

/**
 * The names of our keys: a prefix, a letter for what the key holds, the address or domain as
 * given. Addresses and domains are validated before they get here; still, a name is only ever a
 * key or an escaped SCAN pattern, never part of a script, and one too long to be a real address
 * is refused ({@link #fits}) rather than cut (two cut names could meet).
 */
final class RedisKeys {
    /** RFC 5321 bounds a path at 256 octets; anything longer is no address of ours. */
    static final int MAX_NAME = 320;

    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    static boolean fits(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_NAME;
    }

    /** The verdict or fact held for {@code name} in {@code scope}. */
    String verdict(CacheScope scope, String name) {
        return prefix + letter(scope) + name;
    }

    /** The claim of the callback to {@code address} under way somewhere. */
    String claim(String address) {
        return prefix + "c:" + address;
    }

    /** Every address of exactly {@code domain} (not of its subdomains). */
    String addressesOfPattern(String domain) {
        return glob(prefix + letter(CacheScope.ADDRESS)) + "*@" + glob(domain);
    }

    /** Every verdict and fact, claims left out. */
    String heldPattern() {
        return glob(prefix) + "[adf]:*";
    }

    private static String letter(CacheScope scope) {
        switch (scope) {
            case ADDRESS:
                return "a:";
            case DOMAIN:
                return "d:";
            case ACCEPT_ALL:
                return "f:";
            default:
                throw new IllegalArgumentException("nothing is held in scope " + scope);
        }
    }

    /** {@code s} matched literally by SCAN's glob: its special characters escaped. */
    static String glob(String s) {
        StringBuilder b = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' || c == '^' || c == '-') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
