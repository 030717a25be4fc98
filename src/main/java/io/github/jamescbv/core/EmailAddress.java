package io.github.jamescbv.core;

import java.util.Locale;
import java.util.Objects;

/**
 * A mail address checked to be safe to put into an SMTP command: printable ASCII only
 * (no CR, LF, NUL or other control characters), RFC 5321 length limits, a dot-atom or
 * quoted-string local part and a host-name domain. Every address that came from the
 * network passes through {@link #parse} before it reaches a socket, a log or a command line.
 *
 * <p>The domain is kept in lower case; the local part as given (it may be case-sensitive).
 */
public final class EmailAddress {
    /** RFC 5321 4.5.3.1.1. */
    public static final int MAX_LOCAL_PART = 64;
    /** RFC 5321 4.5.3.1.2. */
    public static final int MAX_DOMAIN = 255;
    /** RFC 5321 4.5.3.1.3 path limit (256) minus the angle brackets. */
    public static final int MAX_ADDRESS = 254;

    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    private final String localPart;
    private final String domain;

    private EmailAddress(String localPart, String domain) {
        this.localPart = localPart;
        this.domain = domain;
    }

    /**
     * Parses and checks an address, with or without angle brackets.
     *
     * @throws InvalidAddressException naming what is wrong, with the offending input sanitised
     */
    public static EmailAddress parse(String input) throws InvalidAddressException {
        if (input == null || input.isEmpty()) {
            throw new InvalidAddressException("empty address");
        }
        if (input.length() > MAX_ADDRESS + 2) {
            throw new InvalidAddressException("address longer than " + MAX_ADDRESS + " characters");
        }
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new InvalidAddressException("control character (CR, LF, NUL or other) in address");
            }
            if (c > 0x7e) {
                throw new InvalidAddressException("non-ASCII character in address (SMTPUTF8 is not probed)");
            }
        }
        String s = input;
        if (s.startsWith("<") && s.endsWith(">") && s.length() >= 2) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.length() > MAX_ADDRESS) {
            throw new InvalidAddressException("address longer than " + MAX_ADDRESS + " characters");
        }
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            throw new InvalidAddressException("not of the form local@domain: " + SafeText.clean(s, 80));
        }
        String local = s.substring(0, at);
        String domain = s.substring(at + 1);
        checkLocalPart(local);
        String d = checkDomain(domain);
        return new EmailAddress(local, d);
    }

    public static EmailAddress of(String localPart, String domain) throws InvalidAddressException {
        return parse(localPart + "@" + domain);
    }

    private static void checkLocalPart(String local) throws InvalidAddressException {
        if (local.length() > MAX_LOCAL_PART) {
            throw new InvalidAddressException("local part longer than " + MAX_LOCAL_PART + " characters");
        }
        if (local.startsWith("\"")) {
            checkQuotedString(local);
            return;
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw new InvalidAddressException("misplaced dot in local part: " + SafeText.clean(local, 80));
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (!(isAlnum(c) || c == '.' || ATEXT_SPECIALS.indexOf(c) >= 0)) {
                throw new InvalidAddressException("character '" + c + "' not allowed in an unquoted local part");
            }
        }
    }

    private static void checkQuotedString(String local) throws InvalidAddressException {
        if (local.length() < 2 || !local.endsWith("\"")) {
            throw new InvalidAddressException("unterminated quoted local part");
        }
        for (int i = 1; i < local.length() - 1; i++) {
            char c = local.charAt(i);
            if (c == '\\') {
                i++;
                if (i >= local.length() - 1) {
                    throw new InvalidAddressException("dangling backslash in quoted local part");
                }
            } else if (c == '"') {
                throw new InvalidAddressException("unescaped quote in quoted local part");
            }
        }
    }

    private static String checkDomain(String domain) throws InvalidAddressException {
        if (domain.startsWith("[")) {
            throw new InvalidAddressException("address literal domains are not called back: " + SafeText.clean(domain, 80));
        }
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty() || d.length() > MAX_DOMAIN) {
            throw new InvalidAddressException("domain empty or longer than " + MAX_DOMAIN + " characters");
        }
        if (!d.contains(".")) {
            throw new InvalidAddressException("domain is not fully qualified: " + SafeText.clean(d, 80));
        }
        checkHostName(d);
        String tld = d.substring(d.lastIndexOf('.') + 1);
        if (tld.chars().allMatch(Character::isDigit)) {
            // James hands over user@[192.0.2.1] without its brackets: an IP literal, not a domain.
            throw new InvalidAddressException("address literal domains are not called back: " + SafeText.clean(d, 80));
        }
        return d.toLowerCase(Locale.ROOT);
    }

    /** Checks LDH labels of 1 to 63 characters (underscore tolerated, as DNS in the wild has it). */
    public static void checkHostName(String d) throws InvalidAddressException {
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new InvalidAddressException("bad domain label in " + SafeText.clean(d, 80));
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw new InvalidAddressException("domain label starts or ends with '-' in " + SafeText.clean(d, 80));
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(isAlnum(c) || c == '-' || c == '_')) {
                    throw new InvalidAddressException("character '" + c + "' not allowed in domain " + SafeText.clean(d, 80));
                }
            }
        }
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    public String localPart() {
        return localPart;
    }

    /** The domain, lower case, without a trailing dot. */
    public String domain() {
        return domain;
    }

    /** The same local part at another (already checked) domain. */
    public EmailAddress withDomain(String otherDomain) throws InvalidAddressException {
        return new EmailAddress(localPart, checkDomain(otherDomain));
    }

    /** local@domain, without brackets: safe to put between angle brackets in a command. */
    @Override
    public String toString() {
        return localPart + "@" + domain;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EmailAddress && ((EmailAddress) o).localPart.equals(localPart)
            && ((EmailAddress) o).domain.equals(domain);
    }

    @Override
    public int hashCode() {
        return Objects.hash(localPart, domain);
    }
}
