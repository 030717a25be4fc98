package io.github.jamescbv.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SettingTest {
    private final Setting<Integer> number = Setting.of("limits.count", Integer::parseInt, 3);

    @Test
    void aDeclarationIsGivenNowhereUntilPlaced() {
        assertThat(number.appliesTo(Place.HANDLER)).isFalse();
        Setting<Integer> placed = number.in(Place.HANDLER, Place.MAILET);
        assertThat(placed.appliesTo(Place.HANDLER)).isTrue();
        assertThat(placed.appliesTo(Place.MAILET)).isTrue();
        assertThat(placed.appliesTo(Place.COMMAND)).isFalse();
        assertThat(number.appliesTo(Place.HANDLER)).as("the original is unchanged").isFalse();
        assertThat(placed.element()).isEqualTo("limits");
        assertThat(placed.defaultValue()).isEqualTo(3);
    }

    @Test
    void anOptionIsACommandPlaceWithTheSameParserOrItsOwn() {
        Setting<Integer> option = number.option("--count");
        assertThat(option.appliesTo(Place.COMMAND)).isTrue();
        assertThat(option.option()).contains("--count");
        assertThat(option.isFlag()).isFalse();
        assertThat(option.parseOption("7")).isEqualTo(7);
        assertThat(number.option("--count", text -> 42).parseOption("7")).isEqualTo(42);
    }

    @Test
    void aFlagTakesNoValue() {
        Setting<Boolean> flag = Setting.of("check", Boolean::valueOf, false).flag("--check", true);
        assertThat(flag.isFlag()).isTrue();
        assertThat(flag.parseOption("")).isTrue();
        assertThat(flag.parse("false")).isFalse();
    }

    @Test
    void aSettingThatIsNoOptionHasNoOptionParser() {
        assertThat(number.option()).isEmpty();
        assertThatThrownBy(() -> number.parseOption("1")).isInstanceOf(IllegalStateException.class);
    }
}
