package io.github.jamescbv.smtp;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The ESMTP extensions a server announced in its reply to EHLO (RFC 5321 4.1.1.1): one keyword a
 * line after the first, with parameters after it. Kept per connection, for the steps that depend
 * on them: STARTTLS ({@link SmtpConnection}), PIPELINING ({@link ProbeSession}).
 *
 * <p>The reply comes from an untrusted remote, so what does not parse is ignored rather than
 * refused: a keyword that breaks the RFC's syntax or passes {@value #MAX_KEYWORD_LENGTH}
 * characters, and lines beyond {@value ReplyParser#MAX_LINES}. What is kept is therefore bounded
 * whatever the reply.
 */
final class Capabilities {
    /** A server that only speaks HELO: no extensions at all. */
    static final Capabilities NONE = new Capabilities(Set.of(), OptionalLong.empty());
    /** Longest keyword kept: the registered ones are a dozen characters, nobody needs more. */
    static final int MAX_KEYWORD_LENGTH = 64;

    private final Set<String> keywords;
    private final OptionalLong sizeLimit;

    private Capabilities(Set<String> keywords, OptionalLong sizeLimit) {
        this.keywords = keywords;
        this.sizeLimit = sizeLimit;
    }

    /** The extensions of a positive EHLO reply; its first line names the server, not an extension. */
    static Capabilities of(SmtpReply ehloReply) {
        List<String> lines = ehloReply.lines();
        Set<String> keywords = new LinkedHashSet<>();
        OptionalLong sizeLimit = OptionalLong.empty();
        for (int i = 1; i < Math.min(lines.size(), ReplyParser.MAX_LINES); i++) {
            String[] words = lines.get(i).trim().split(" +", 3);
            // Checked before upper-casing: Unicode case mapping could turn a non-ASCII word into a keyword.
            if (!isKeyword(words[0]) || !keywords.add(words[0].toUpperCase(Locale.ROOT))) {
                continue;
            }
            if (words[0].equalsIgnoreCase("SIZE") && words.length > 1) {
                sizeLimit = octets(words[1]);
            }
        }
        return keywords.isEmpty() ? NONE : new Capabilities(Collections.unmodifiableSet(keywords), sizeLimit);
    }

    /** Whether the server announced this extension ({@code "STARTTLS"}, {@code "8BITMIME"}...), in any case. */
    boolean has(String keyword) {
        return keywords.contains(keyword.toUpperCase(Locale.ROOT));
    }

    /** RFC 2920: commands may be sent in groups, without waiting for each reply. */
    boolean pipelining() {
        return has("PIPELINING");
    }

    /** RFC 3207: the connection can be turned into a TLS one. */
    boolean startTls() {
        return has("STARTTLS");
    }

    /**
     * RFC 1870: the largest message the server takes, in octets; empty when it announced none,
     * or a number we cannot read. A limit of 0 means "no fixed limit".
     */
    OptionalLong sizeLimit() {
        return sizeLimit;
    }

    /** The keywords announced, upper case, in the server's order. */
    Set<String> keywords() {
        return keywords;
    }

    // RFC 5321: ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    private static boolean isKeyword(String word) {
        if (word.isEmpty() || word.length() > MAX_KEYWORD_LENGTH || word.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static OptionalLong octets(String digits) {
        // 18 digits always fit in a long; a longer number is no limit anyone could reach.
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(digits));
    }

    @Override
    public String toString() {
        return keywords.isEmpty() ? "no extensions" : String.join(" ", keywords);
    }
}
