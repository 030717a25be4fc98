package io.github.jamescbv.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reader names a refused value by its declaration, whatever refused it. */
class SettingReaderTest {
    /** Texts from a map; a refusal is an IllegalStateException "name='text': reason". */
    private static final class MapReader extends SettingReader<IllegalStateException> {
        MapReader(Place place, Map<String, String> texts) {
            super(place, texts::get);
        }

        @Override
        protected IllegalStateException refusal(Setting<?> setting, String reason) {
            return new IllegalStateException(setting.name() + "='" + text(setting).orElse("") + "': " + reason);
        }
    }

    private static MapReader handler(String name, String text) {
        return new MapReader(Place.HANDLER, Map.of(name, text));
    }

    @Test
    void aParserFailureNamesTheSettingAndTheValue() {
        assertThatThrownBy(() -> handler("connectTimeout", "soon").value(Settings.CONNECT_TIMEOUT))
            .hasMessageStartingWith("connectTimeout='soon': bad duration 'soon'");
    }

    @Test
    void aRefusalOfTheStepThatUsesTheValueNamesTheSettingToo() {
        assertThatThrownBy(() -> handler("port", "25").ifGiven(Settings.PORT, port -> {
            throw new IllegalArgumentException("port " + port + " is taken");
        })).hasMessage("port='25': port 25 is taken");
    }

    @Test
    void aConversionOfTheCallersIsNamedByTheSettingAndAppliesToTheDefault() {
        assertThatThrownBy(() -> handler("phase", "data").value(Settings.PHASE, text -> {
            throw new IllegalArgumentException("bad phase '" + text + "'");
        })).hasMessage("phase='data': bad phase 'data'");
        String absent = handler("other", "x").value(Settings.PHASE, String::toUpperCase);
        assertThat(absent).isEqualTo("RCPTTO");
    }

    @Test
    void anAbsentSettingHasItsDeclaredDefault() {
        assertThat(handler("other", "x").value(Settings.RCPT_MAX_WAIT)).isEqualTo(Duration.ofSeconds(10));
        assertThat(handler("other", "x").given(Settings.RCPT_MAX_WAIT)).isEmpty();
        assertThat(handler("rcptMaxWait", "5s").given(Settings.RCPT_MAX_WAIT)).contains(Duration.ofSeconds(5));
    }

    @Test
    void aSettingOfAnotherPlaceIsNeverRead() {
        MapReader mailet = new MapReader(Place.MAILET, Map.of("phase", "rcptto", "randomCheck", "nonsense"));
        assertThat(mailet.given(Settings.PHASE)).isEmpty();
        assertThat(mailet.value(Settings.RANDOM_CHECK)).isFalse();
    }
}
