package io.github.jamescbv.config;

import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.SafeText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;

/**
 * The text of one setting turned into its value, or an {@link IllegalArgumentException} whose
 * message names the bad value. Independent of where the text came from: the parsers of the
 * declarations in {@link Settings}, to which each reader adds the name of the setting and its own
 * exception type.
 */
public final class SettingValues {
    /**
     * RFC 5321 4.5.3.2.6 lets a client give up after 10 minutes without a reply to the final
     * "."; holding the reply longer would only make clients retry the whole message.
     */
    public static final Duration MAX_MAX_WAIT = Duration.ofMinutes(10);
    private static final int MAX_ATTRIBUTE_NAME = 200;

    private SettingValues() {
    }

    /** The handler's wait for the verdict before answering the final "." of DATA: at most {@link #MAX_MAX_WAIT}. */
    static Duration dataMaxWait(String value) {
        return atMostMaxWait(value, " (clients give up waiting for the reply to DATA after 10 minutes)");
    }

    /**
     * The mailet's wait, of at most {@link #MAX_MAX_WAIT} as well; zero means "do not wait". A
     * mailet waiting longer would hold a spool thread for a verdict nobody waits for.
     */
    static Duration spoolMaxWait(String value) {
        return atMostMaxWait(value, "");
    }

    private static Duration atMostMaxWait(String value, String why) {
        Duration d = Durations.parse(value);
        if (d.compareTo(MAX_MAX_WAIT) > 0) {
            throw new IllegalArgumentException("'" + SafeText.clean(value, 40) + "' is longer than "
                + Durations.format(MAX_MAX_WAIT) + why);
        }
        return d;
    }

    static int integer(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number '" + SafeText.clean(value, 40) + "'");
        }
    }

    /** A number that {@code check} accepts (it throws, naming its range, for one it refuses). */
    static Function<String, Integer> integer(IntUnaryOperator check) {
        return v -> check.applyAsInt(integer(v));
    }

    /** Only {@code true} or {@code false}: a typo must not silently mean either. */
    static boolean bool(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException("bad boolean '" + SafeText.clean(value, 40) + "' (expected true or false)");
        }
    }

    /** The probe's MAIL FROM: empty or {@code <>} is the null sender. */
    static Optional<EmailAddress> probeSender(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.equals("<>")) {
            return Optional.empty();
        }
        try {
            return Optional.of(EmailAddress.parse(v));
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("bad address '" + SafeText.clean(v, 80) + "': " + e.getMessage());
        }
    }

    /**
     * A Mail attribute name: letters, digits, '_', '-' and '.', so that it reads the same in
     * {@code HasMailAttributeWithValue=name, value} (which splits at the first comma) and in logs.
     */
    static String attributeName(String value) {
        String name = value.trim();
        boolean ok = !name.isEmpty() && name.length() <= MAX_ATTRIBUTE_NAME;
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        }
        if (!ok) {
            throw new IllegalArgumentException("bad attribute name '" + SafeText.clean(value, 80)
                + "' (expected letters, digits, '_', '-' or '.')");
        }
        return name;
    }

    /** Items separated by commas and/or white space; empty items are dropped. */
    static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        for (String item : value.trim().split("[,\\s]+")) {
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        return items;
    }

    /** The command's {@code --port}: a number; its range is the engine's to check. */
    static int portOption(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + SafeText.clean(value, 20) + "' (expected 1-65535)");
        }
    }

    /** The command's {@code --mailfrom}: as {@link #probeSender}, but the text is taken as it is. */
    static Optional<EmailAddress> probeSenderOption(String value) {
        if (value.isEmpty() || "<>".equals(value)) {
            return Optional.empty();
        }
        try {
            return Optional.of(EmailAddress.parse(value));
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** One {@code --map FROM=TO} of the command: a map of that one entry. */
    static DomainMap mapOption(String value) {
        int eq = value.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("bad entry '" + SafeText.clean(value, 80) + "' (expected FROM=TO)");
        }
        return DomainMap.builder().add(value.substring(0, eq), value.substring(eq + 1)).build();
    }

    /**
     * {@code from=to} pairs separated by commas, e.g. {@code yahoo.net=yahoo.com,
     * corp.example=[mx.corp.example]:2525}: the handler's {@code <map>} on one line.
     */
    static DomainMap domainMap(String value) {
        DomainMap.Builder map = DomainMap.builder();
        for (String entry : value.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("bad map entry '" + SafeText.clean(entry.trim(), 80)
                    + "' (expected from=to)");
            }
            map.add(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return map.build();
    }
}
