package io.github.jamescbv.core;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The name our probes give in {@code EHLO}/{@code HELO}, and where it came from. It is the first
 * thing a remote postmaster sees of us, and many receivers check it: Postfix's
 * {@code reject_non_fqdn_helo_hostname}, SpamAssassin's HELO rules and the large providers'
 * filters refuse or score a name that is not a fully qualified domain name, so a name that is
 * not one is worth a warning wherever it is chosen ({@link #whyNotFullyQualified()}).
 */
public final class HeloName {
    /** What the probes say when nothing better is known: a valid name, but not one anyone can check. */
    public static final String FALLBACK = "localhost.localdomain";
    /**
     * Suffixes that only mean something inside one network (RFC 6761, RFC 6762, RFC 8375, and the
     * common private conventions): a name under them never resolves on the Internet.
     */
    private static final List<String> PRIVATE_SUFFIXES = List.of("localhost", "localdomain", "local", "internal",
        "lan", "home.arpa", "invalid");

    private final String name;
    private final String source;

    private HeloName(String name, String source) {
        this.name = name;
        this.source = source;
    }

    /**
     * @param source where the name came from, for the start-up log line ("configured", "this
     *               host's canonical name"...)
     * @throws IllegalArgumentException when {@code name} is not a host name
     */
    public static HeloName of(String name, String source) {
        String n = Objects.requireNonNull(name, "name").trim();
        try {
            EmailAddress.checkHostName(n);
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("bad heloName '" + SafeText.clean(name, 80) + "': " + e.getMessage());
        }
        return new HeloName(n, Objects.requireNonNull(source, "source"));
    }

    /** {@code name} as a HELO name, if it is a host name at all (names from DNS or the OS may not be). */
    public static Optional<HeloName> ifValid(String name, String source) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(of(stripRootDot(name), source));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The local host's canonical name as Java resolves it when that name has a dot, else
     * {@link #FALLBACK}: the name the engine uses when it is told nothing (the command's default).
     */
    public static HeloName local() {
        try {
            Optional<HeloName> canonical = ifValid(InetAddress.getLocalHost().getCanonicalHostName(),
                "this host's canonical name");
            if (canonical.isPresent() && canonical.get().name.contains(".")) {
                return canonical.get();
            }
        } catch (Exception e) {
            // no name for this host: the fallback below
        }
        return new HeloName(FALLBACK, "the fallback, this host has no name with a dot");
    }

    public String name() {
        return name;
    }

    /** Where the name came from, for log lines. */
    public String source() {
        return source;
    }

    /** Why a remote cannot take this name for a fully qualified domain name; empty when it can. */
    public Optional<String> whyNotFullyQualified() {
        return whyNotFullyQualified(name);
    }

    /** As {@link #whyNotFullyQualified()}, for any name. */
    public static Optional<String> whyNotFullyQualified(String name) {
        String n = stripRootDot(name.trim()).toLowerCase(Locale.ROOT);
        if (n.indexOf('.') < 0) {
            return Optional.of("it has no dot");
        }
        if (isAddress(n)) {
            return Optional.of("it is an IP address, not a name");
        }
        for (String suffix : PRIVATE_SUFFIXES) {
            if (n.equals(suffix) || n.endsWith("." + suffix)) {
                return Optional.of("names under ." + suffix + " are not in the public DNS");
            }
        }
        return Optional.empty();
    }

    /** Whether this "name" is an IPv4 address (what a reverse lookup without a PTR record gives back). */
    public boolean isAddress() {
        return isAddress(name);
    }

    /** A name whose last label is all digits is no host name (RFC 1123 2.1): an address. */
    private static boolean isAddress(String name) {
        String n = stripRootDot(name);
        return n.substring(n.lastIndexOf('.') + 1).chars().allMatch(Character::isDigit);
    }

    private static String stripRootDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    @Override
    public String toString() {
        return name + " (" + source + ")";
    }
}
