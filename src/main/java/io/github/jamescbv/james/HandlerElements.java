package io.github.jamescbv.james;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * The handler's XML elements, read one at a time. The parsers ({@link SettingValues}, the
 * settings' own builders) throw an {@link IllegalArgumentException} naming the bad value; here it
 * becomes the {@link ConfigurationException} that stops James naming the element as well, so that
 * no parsing step has to repeat that translation.
 */
final class HandlerElements {
    private final Configuration config;

    HandlerElements(Configuration config) {
        this.config = config;
    }

    /** The text of an element, if given; nested ones by their dotted key, e.g. {@code cache.passTtl}. */
    Optional<String> text(String key) {
        return Optional.ofNullable(config.getString(key, null));
    }

    /** Every text of a repeatable element, e.g. {@code dns.server}. */
    List<String> list(String key) {
        return config.getList(String.class, key, List.of());
    }

    Configuration configuration() {
        return config;
    }

    /** The element parsed, or {@code absent} when it is not given. */
    <T> T value(String key, Function<String, T> parser, T absent) throws ConfigurationException {
        Optional<String> text = text(key);
        return text.isPresent() ? parse(key, text.get(), parser) : absent;
    }

    /** When the element is given: parses it and hands the value to {@code use}, which may refuse it too. */
    <T> void ifGiven(String key, Function<String, T> parser, Consumer<T> use) throws ConfigurationException {
        Optional<String> text = text(key);
        if (text.isPresent()) {
            T value = parse(key, text.get(), parser);
            check(key, () -> use.accept(value));
        }
    }

    static <T> T parse(String key, String text, Function<String, T> parser) throws ConfigurationException {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    /** Builds a settings object that may refuse a value with an IllegalArgumentException. */
    static <T> T build(String key, Supplier<T> builder) throws ConfigurationException {
        try {
            return builder.get();
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    /** Runs a step that may refuse a value with an IllegalArgumentException. */
    static void check(String key, Runnable step) throws ConfigurationException {
        build(key, () -> {
            step.run();
            return null;
        });
    }

    /** "cache.passTtl" as the administrator wrote it: {@code <cache><passTtl>}. */
    static ConfigurationException error(String key, String message) {
        return new ConfigurationException("CallbackVerifyHandler: <" + key.replace(".", "><") + ">: " + message);
    }
}
