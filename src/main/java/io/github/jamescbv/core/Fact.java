package io.github.jamescbv.core;

import java.util.Locale;
import java.util.Objects;

/**
 * The answer of one domain check ({@code acceptAll}, {@code postmasterRejected}): true, false,
 * or unknown when the check could not be made; with the text that explains it (the remote's
 * reply, or our reason). Immutable.
 */
public final class Fact {
    /** Text kept in a fact is cut to this many characters. */
    public static final int MAX_TEXT_LENGTH = 300;

    /** The three answers. */
    public enum Value {
        TRUE, FALSE, UNKNOWN;

        /** "true", "false" or "unknown": the word of the detail map. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Value value;
    private final String text;
    private final boolean remembered;

    private Fact(Value value, String text, boolean remembered) {
        this.value = Objects.requireNonNull(value, "value");
        this.text = SafeText.clean(text, MAX_TEXT_LENGTH);
        this.remembered = remembered;
    }

    /** Learnt just now, e.g. from the reply to a probe. */
    public static Fact of(boolean value, String text) {
        return new Fact(value ? Value.TRUE : Value.FALSE, text, false);
    }

    /** Known from an earlier verification of the domain, not asked now. */
    public static Fact remembered(boolean value, String text) {
        return new Fact(value ? Value.TRUE : Value.FALSE, text, true);
    }

    /** The check was meant to be made and could not: no reply, a 4xx, a dropped connection... */
    public static Fact unknown(String why) {
        return new Fact(Value.UNKNOWN, why, false);
    }

    public Value value() {
        return value;
    }

    public boolean isTrue() {
        return value == Value.TRUE;
    }

    /** The reply or the reason behind the answer; may be "". */
    public String text() {
        return text;
    }

    /**
     * Whether this answer was carried over from an earlier verification rather than learnt now:
     * such a fact must not renew the memory it came from, or it would never expire.
     */
    public boolean remembered() {
        return remembered;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Fact)) {
            return false;
        }
        Fact f = (Fact) o;
        return value == f.value && remembered == f.remembered && text.equals(f.text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, text, remembered);
    }

    @Override
    public String toString() {
        return value.word() + (text.isEmpty() ? "" : " (" + text + ")");
    }
}
