package io.github.jamescbv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.config.Place;
import io.github.jamescbv.config.Setting;
import io.github.jamescbv.config.Settings;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The usage text is written by hand; it must describe exactly the options of the table, and the command's own. */
class CommandOptionsTableTest {
    private static final Set<String> COMMAND_OWN = Set.of("--json", "-v");

    @Test
    void theUsageDescribesEveryOptionOfTheTableAndNoOther() {
        Set<String> described = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^  (-[-a-z]+)").matcher(CliOptions.USAGE);
        while (m.find()) {
            described.add(m.group(1));
        }
        Set<String> expected = new HashSet<>(COMMAND_OWN);
        for (Setting<?> s : Settings.of(Place.COMMAND)) {
            expected.add(s.option().orElseThrow());
            assertThat(CliOptions.USAGE).contains("[" + s.option().orElseThrow());
        }
        assertThat(described).isEqualTo(expected);
    }
}
