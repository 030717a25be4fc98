package io.github.jamescbv.config;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One setting, declared once in {@link Settings}: its name, how its text becomes a value, its
 * default, and where it can be given. The readers of every front end take all of that from here,
 * so that a refused value is named by the declaration and never by what an exception says.
 *
 * <p>Immutable: {@link #in}, {@link #option} and {@link #flag} return a copy, so that a
 * declaration reads as one line.
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {
    private final String name;
    private final Function<String, T> parser;
    private final T defaultValue;
    private final Set<Place> places;
    private final String option;
    private final Function<String, T> optionParser;
    private final boolean flag;

    private Setting(String name, Function<String, T> parser, T defaultValue, Set<Place> places, String option,
                    Function<String, T> optionParser, boolean flag) {
        this.name = name;
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.places = places;
        this.option = option;
        this.optionParser = optionParser;
        this.flag = flag;
    }

    /**
     * @param name         as the administrator writes it; a nested element by its dotted key, e.g. {@code cache.passTtl}
     * @param parser       the text to the value; an {@link IllegalArgumentException} naming the bad value refuses it
     * @param defaultValue the value when the setting is not given; null where the consumer keeps its own
     *                     (e.g. the local host name for {@code heloName})
     */
    public static <T> Setting<T> of(String name, Function<String, T> parser, T defaultValue) {
        return new Setting<>(Objects.requireNonNull(name), Objects.requireNonNull(parser), defaultValue,
            Collections.unmodifiableSet(EnumSet.noneOf(Place.class)), null, null, false);
    }

    /** The same setting, given also in these places. */
    public Setting<T> in(Place first, Place... more) {
        EnumSet<Place> all = places.isEmpty() ? EnumSet.noneOf(Place.class) : EnumSet.copyOf(places);
        all.add(first);
        Collections.addAll(all, more);
        return new Setting<>(name, parser, defaultValue, Collections.unmodifiableSet(all), option, optionParser, flag);
    }

    /** The same setting, also an option of the command taking a value, parsed as elsewhere. */
    public Setting<T> option(String commandOption) {
        return option(commandOption, parser);
    }

    /**
     * The same setting, also an option of the command taking a value, with a parser of its own:
     * the command words some refusals its own way (e.g. {@code --port: bad port 'abc' (expected 1-65535)}).
     */
    public Setting<T> option(String commandOption, Function<String, T> commandParser) {
        return new Setting<>(name, parser, defaultValue, places, commandOption, commandParser, false).in(Place.COMMAND);
    }

    /** The same setting, also an option of the command that takes no value: naming it means {@code given}. */
    public Setting<T> flag(String commandOption, T given) {
        return new Setting<>(name, parser, defaultValue, places, commandOption, text -> given, true).in(Place.COMMAND);
    }

    public String name() {
        return name;
    }

    /** The part of the name before the first dot: {@code cache} for {@code cache.passTtl}. */
    public String element() {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    public boolean appliesTo(Place place) {
        return places.contains(place);
    }

    /** The value when the setting is not given; null where its consumer keeps a default of its own. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The command's option, e.g. {@code --connect-timeout}, if the setting is one. */
    public Optional<String> option() {
        return Optional.ofNullable(option);
    }

    /** Whether the command's option stands alone, without a value. */
    public boolean isFlag() {
        return flag;
    }

    /** @throws IllegalArgumentException naming the bad value */
    public T parse(String text) {
        return parser.apply(text);
    }

    /** The value of the command's option (for a flag, whatever the text). @throws IllegalArgumentException naming the bad value */
    public T parseOption(String text) {
        if (optionParser == null) {
            throw new IllegalStateException(name + " is no option of the command");
        }
        return optionParser.apply(text);
    }

    @Override
    public String toString() {
        return name;
    }
}
