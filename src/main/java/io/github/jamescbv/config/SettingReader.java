package io.github.jamescbv.config;

import io.github.jamescbv.core.DomainMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads the settings of one place, one at a time. The parsers and the steps that use a value
 * refuse it with an {@link IllegalArgumentException} naming the value; here it becomes the
 * exception that stops this front end ({@code E}), naming the setting from its declaration, so
 * that no step has to repeat that translation.
 *
 * @param <E> what stops this front end: James's {@code ConfigurationException} for the handler,
 *            {@code MessagingException} for the mailet
 */
public abstract class SettingReader<E extends Exception> {
    private final Place place;
    private final Function<String, String> lookup;

    /** @param lookup the text given under a name, or null */
    protected SettingReader(Place place, Function<String, String> lookup) {
        this.place = place;
        this.lookup = lookup;
    }

    /** The text given for the setting, if any. */
    protected final Optional<String> text(Setting<?> setting) {
        return Optional.ofNullable(lookup.apply(setting.name()));
    }

    /** What stops James: the setting named as this place writes it, and why its value is refused. */
    protected abstract E refusal(Setting<?> setting, String reason);

    /** The value of a setting given in this place; empty when it is not given, or belongs to another place. */
    public <T> Optional<T> given(Setting<T> setting) throws E {
        return given(setting, Function.identity());
    }

    /** As {@link #given(Setting)}, turned into a type of the caller's ({@code then} may refuse it too). */
    public <T, U> Optional<U> given(Setting<T> setting, Function<T, U> then) throws E {
        if (!setting.appliesTo(place)) {
            return Optional.empty();
        }
        Optional<String> text = text(setting);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(check(setting, () -> then.apply(setting.parse(text.get()))));
    }

    /** The value given, or the declared default. */
    public <T> T value(Setting<T> setting) throws E {
        return value(setting, Function.identity());
    }

    /** The value given, or the declared default, turned into a type of the caller's (e.g. James's {@code Phase}). */
    public <T, U> U value(Setting<T> setting, Function<T, U> then) throws E {
        Optional<U> given = given(setting, then);
        return given.isPresent() ? given.get() : then.apply(setting.defaultValue());
    }

    /** When the setting is given: hands its value to {@code use}, which may refuse it too. */
    public <T> void ifGiven(Setting<T> setting, Consumer<T> use) throws E {
        Optional<T> value = given(setting);
        if (value.isPresent()) {
            check(setting, () -> {
                use.accept(value.get());
                return null;
            });
        }
    }

    /** Runs a step that may refuse the setting's value with an {@link IllegalArgumentException}, e.g. building a settings object. */
    public <T> T check(Setting<?> setting, Supplier<T> step) throws E {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw refusal(setting, e.getMessage());
        }
    }

    /** The DNS servers, when given; a place that writes them in a shape of its own reads them its way. */
    public Optional<List<String>> dnsServers() throws E {
        return given(Settings.DNS);
    }

    /** The domain map, when given; a place that writes it in a shape of its own reads it its way. */
    public Optional<DomainMap> domainMap() throws E {
        return given(Settings.MAP);
    }
}
