package io.github.jamescbv.store.redis;

import io.github.jamescbv.policy.CacheScope;

/**
 * The names of our keys: the prefix, a letter for what the key holds, then the domain it is
 * about as a hash tag, then the address when it is about one address:
 *
 * <pre>
 * cbv:a:{example.com}:alice@example.com   verdict of an address
 * cbv:d:{example.com}                     verdict of a domain
 * cbv:f:{example.com}                     the domain's accept-all fact
 * cbv:c:{example.com}:alice@example.com   claim of the callback to an address
 * cbv:l:{example.com}, cbv:v:..., cbv:s:... the domain's leases, reserved tokens, starts
 * cbv:k:192.0.2.7, cbv:k:2001:db8::/64    a client's rate
 * </pre>
 *
 * <p><b>The hash tag.</b> A Redis Cluster places a key by the text between its first '{'
 * and the next '}': every key of one domain lands on one node, so that a script over
 * several of them never crosses slots, and the commands about one domain go out on one
 * connection, in order. The tag comes before the address: a local part may hold braces
 * ("x}y"@example.com), which must not move its key; the prefix may hold none
 * ({@link RedisSettings}), and a domain none either ({@link #fits}: a domain is letters, digits,
 * hyphens and dots, and one that began with '}' would get an empty tag, its keys scattered). The
 * domain of an address is what follows its last {@code @}; an address without one has no domain
 * and an empty tag (Redis then places the key by its whole name, as it does a client's, which
 * stands alone).
 *
 * <p>The letter comes first so that a glob can tell verdicts from claims and budgets
 * ({@link #heldPattern}): after the tag, a quoted local part could imitate any letter.
 * Addresses and domains are validated before they get here; still, a name is only ever a key or
 * an escaped SCAN pattern, never part of a script, and one too long to be a real address is
 * refused ({@link #fits}) rather than cut (two cut names could meet).
 */
final class RedisKeys {
    /** RFC 5321 bounds a path at 256 octets; anything longer is no address of ours. */
    static final int MAX_NAME = 320;

    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    /** Whether {@code name}, an address or a domain, can be a key: not too long, no brace in its domain. */
    static boolean fits(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        String domain = domainOf(name);
        return domain.indexOf('{') < 0 && domain.indexOf('}') < 0;
    }

    /** The verdict or fact held for {@code name} (an address, or a domain) in {@code scope}. */
    String verdict(CacheScope scope, String name) {
        switch (scope) {
            case ADDRESS:
                return ofAddress("a:", name);
            case DOMAIN:
                return ofDomain("d:", name);
            case ACCEPT_ALL:
                return ofDomain("f:", name);
            default:
                throw new IllegalArgumentException("nothing is held in scope " + scope);
        }
    }

    /** The claim of the callback to {@code address} under way somewhere. */
    String claim(String address) {
        return ofAddress("c:", address);
    }

    /** The keys of {@code domain}'s budget: its leases, reserved rate tokens and starts. */
    String[] budget(String domain) {
        return new String[] {ofDomain("l:", domain), ofDomain("v:", domain), ofDomain("s:", domain)};
    }

    /** The rate of one client ({@code 192.0.2.7}, {@code 2001:db8::/64}). */
    String client(String name) {
        return prefix + "k:" + name;
    }

    /** Every address of exactly {@code domain} (not of its subdomains). */
    String addressesOfPattern(String domain) {
        return glob(prefix + "a:" + tag(domain) + ":") + "*";
    }

    /** Every verdict and fact, claims and budgets left out. */
    String heldPattern() {
        return glob(prefix) + "[adf]:*";
    }

    private String ofDomain(String letter, String domain) {
        return prefix + letter + tag(domain);
    }

    private String ofAddress(String letter, String address) {
        return prefix + letter + tag(address.indexOf('@') < 0 ? "" : domainOf(address)) + ":" + address;
    }

    /** What follows the last '@': an address's domain, or a domain itself. */
    private static String domainOf(String name) {
        return name.substring(name.lastIndexOf('@') + 1);
    }

    private static String tag(String domain) {
        return "{" + domain + "}";
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
