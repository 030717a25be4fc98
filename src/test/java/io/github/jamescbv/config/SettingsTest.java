package io.github.jamescbv.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The table itself: names, places and options are consistent, and the README documents each setting. */
class SettingsTest {

    @ParameterizedTest
    @EnumSource(Place.class)
    void everySettingHasAUniqueNameInEachPlace(Place place) {
        List<String> names = Settings.of(place).stream().map(Setting::name).collect(Collectors.toList());
        assertThat(names).doesNotHaveDuplicates().isNotEmpty();
    }

    @Test
    void everyOptionOfTheCommandIsUniqueAndStandsForItsSetting() {
        List<Setting<?>> options = Settings.of(Place.COMMAND);
        assertThat(options).allSatisfy(s -> assertThat(s.option()).isPresent());
        assertThat(options.stream().map(s -> s.option().orElseThrow())).doesNotHaveDuplicates();
        for (Setting<?> s : options) {
            assertThat(Settings.ofOption(s.option().orElseThrow())).containsSame(s);
        }
        assertThat(Settings.ofOption("--json")).isEmpty();
    }

    @Test
    void everySettingIsGivenSomewhere() {
        assertThat(Settings.ALL).allSatisfy(s ->
            assertThat(EnumSet.allOf(Place.class).stream().anyMatch(s::appliesTo)).as(s.name()).isTrue());
        assertThat(new HashSet<>(Settings.ALL)).hasSameSizeAs(Settings.ALL);
    }

    @Test
    void theHandlersUnknownElementErrorListsTheElementsInTheOrderItAlwaysHas() {
        assertThat(String.join(", ", Settings.names(Place.HANDLER))).isEqualTo("phase, mailfrom, map, attribute, "
            + "maxWait, heloName, port, connectTimeout, commandTimeout, totalTimeout, maxMxAttempts, dns, "
            + "allowPrivateTargets, allowTargetNetworks, tls, pipelining, verifyAuthenticated, cache, redis, maxConcurrent, maxQueued, "
            + "perDomainConcurrent, perDomainRate, perClientRate, reuse, skipDomains, skipNetworks, action, rcptMaxWait, "
            + "rejectMessage, rejectOnPolicyError, randomCheck, postmasterCheck");
    }

    @Test
    void theMailetsUnknownParameterErrorListsItsParametersInTheOrderOfTheTable() {
        assertThat(String.join(", ", Settings.names(Place.MAILET))).isEqualTo("address, mailfrom, map, attribute, "
            + "maxWait, heloName, port, connectTimeout, commandTimeout, totalTimeout, maxMxAttempts, dns, "
            + "allowPrivateTargets, allowTargetNetworks, tls, pipelining");
    }

    @Test
    void theReadmeDocumentsEveryElementOfTheHandlerAndNoOther() throws IOException {
        assertThat(readmeTable("## Configuration", "| element |"))
            .containsExactlyInAnyOrderElementsOf(Settings.names(Place.HANDLER));
    }

    @Test
    void theReadmeDocumentsEveryParameterOfTheMailetAndNoOther() throws IOException {
        assertThat(readmeTable("## On-demand verification (mailet)", "| parameter |"))
            .containsExactlyInAnyOrderElementsOf(Settings.names(Place.MAILET));
    }

    @Test
    void nestedSettingsAreListedByTheirOuterElementOnce() {
        assertThat(Settings.CACHE_PASS_TTL.element()).isEqualTo("cache");
        assertThat(Settings.PORT.element()).isEqualTo("port");
        assertThat(Settings.isGroup(Place.HANDLER, "cache")).isTrue();
        assertThat(Settings.isGroup(Place.MAILET, "cache")).isFalse();
        assertThat(Settings.isGroup(Place.HANDLER, "port")).isFalse();
        assertThat(Settings.named(Place.HANDLER, "cache.maxEntries")).containsSame(Settings.CACHE_MAX_ENTRIES);
    }

    @Test
    void theSameNameMayMeanAnotherSettingInAnotherPlace() {
        assertThat(Settings.named(Place.HANDLER, "maxWait")).containsSame(Settings.MAX_WAIT);
        assertThat(Settings.named(Place.MAILET, "maxWait")).containsSame(Settings.SPOOL_MAX_WAIT);
        assertThat(Settings.named(Place.MAILET, "phase")).isEmpty();
    }

    /** The names in the first column of the README table under {@code section} whose header starts with {@code header}. */
    private static Set<String> readmeTable(String section, String header) throws IOException {
        String readme = Files.readString(Paths.get("README.md"), StandardCharsets.UTF_8);
        String rest = readme.substring(readme.indexOf(section));
        String table = rest.substring(rest.indexOf(header));
        List<String> rows = new ArrayList<>();
        for (String line : table.split("\n")) {
            if (!line.startsWith("|")) {
                break;
            }
            rows.add(line.substring(1, line.indexOf('|', 1)));
        }
        Set<String> names = new HashSet<>();
        Matcher m = Pattern.compile("`([A-Za-z]+)`").matcher(String.join("\n", rows));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
