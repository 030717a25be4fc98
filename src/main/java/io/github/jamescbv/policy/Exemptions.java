package io.github.jamescbv.policy;

import io.github.jamescbv.core.Cidr;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.SafeText;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who is never verified: sender domains (and their subdomains) known to refuse or punish
 * callbacks, and client networks whose mail is trusted. Exempt mail gets no attribute at all.
 */
public final class Exemptions {
    public static final Exemptions NONE = new Exemptions(Set.of(), List.of());

    private final Set<String> domains;
    private final List<Cidr> networks;

    public Exemptions(Set<String> domains, List<Cidr> networks) {
        this.domains = Set.copyOf(domains);
        this.networks = List.copyOf(networks);
    }

    /** Domains separated by commas or white space; each must be a host name. */
    public static Set<String> parseDomains(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String d : split(text)) {
            String v = d.toLowerCase(Locale.ROOT);
            v = v.endsWith(".") ? v.substring(0, v.length() - 1) : v;
            try {
                EmailAddress.checkHostName(v);
            } catch (InvalidAddressException e) {
                throw new IllegalArgumentException("bad domain '" + SafeText.clean(d, 80) + "': " + e.getMessage());
            }
            out.add(v);
        }
        return out;
    }

    /** Networks in CIDR notation (IPv4 or IPv6) separated by commas or white space. */
    public static List<Cidr> parseNetworks(String text) {
        return Cidr.parseList(text);
    }

    private static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split("[,\\s]+")) {
            if (!part.isEmpty()) {
                out.add(part);
            }
        }
        return out;
    }

    /** Why mail from {@code senderDomain} sent by {@code client} is not verified, or empty when it is. */
    public Optional<String> reason(String senderDomain, Optional<InetAddress> client) {
        String d = senderDomain.toLowerCase(Locale.ROOT);
        for (String skip : domains) {
            if (d.equals(skip) || d.endsWith("." + skip)) {
                return Optional.of("sender domain " + SafeText.clean(d, 255) + " is in skipDomains");
            }
        }
        if (client.isPresent()) {
            for (Cidr n : networks) {
                if (n.contains(client.get())) {
                    return Optional.of("client " + client.get().getHostAddress() + " is in skipNetworks " + n);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "skipDomains=" + domains + " skipNetworks=" + networks;
    }
}
