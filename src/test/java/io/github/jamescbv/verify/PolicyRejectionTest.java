package io.github.jamescbv.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyRejectionTest {
    @ParameterizedTest(name = "{0} at {1}: {2} {3} -> {4}")
    @CsvSource({
        "error,     mail,     550, 5.7.1, true",
        "error,     mail,     554, 5.7.26, true",
        "error,     mail,     550, 5.1.8, false",
        "error,     mail,     550,      , false",
        "error,     greeting, 554,      , true",
        "error,     connect,  550,      , true",
        "error,     helo,     550, 5.7.1, false",
        "error,     rcpt,     550, 5.7.1, false",
        "error,     dns,      0,        , false",
        "transient, mail,     450, 4.7.1, false",
        "pass,      rcpt,     250, 2.1.5, false",
    })
    void aPolicyRejectionIsARefusalOfUsBeforeAnyAddressWasNamed(String result, String stage, int code, String enhanced,
                                                                boolean expected) {
        Verdict v = Verdict.builder(Result.valueOf(result.toUpperCase(Locale.ROOT)), Stage.valueOf(stage.toUpperCase(Locale.ROOT)))
            .code(code).enhancedCode(enhanced).build();

        assertThat(PolicyRejection.isPolicyRejection(v)).isEqualTo(expected);
    }
}
