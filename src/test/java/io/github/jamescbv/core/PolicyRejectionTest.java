package io.github.jamescbv.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyRejectionTest {
    @ParameterizedTest(name = "{0} at {1}: {2} {3} {4} -> {5}")
    @CsvSource(delimiter = '|', value = {
        "error     | mail     | 550 | 5.7.1  |                                          | true",
        "error     | mail     | 554 | 5.7.26 |                                          | true",
        "error     | mail     | 550 | 5.1.8  |                                          | true",
        "error     | mail     | 550 |        |                                          | true",
        "error     | greeting | 554 |        |                                          | true",
        "error     | connect  | 550 |        |                                          | true",
        "error     | helo     | 550 | 5.7.1  |                                          | false",
        "error     | rcpt     | 554 | 5.7.1  | <>: Sender address rejected: Access denied | true",
        "error     | rcpt     | 550 | 5.7.1  | Service unavailable; client blocked       | true",
        "error     | rcpt     | 550 | 5.1.7  | bad sender mailbox                        | true",
        "error     | rcpt     | 550 | 5.1.8  | <>: Sender address rejected: Domain not found | true",
        "error     | rcpt     | 550 |        | <>: SENDER ADDRESS REJECTED                | true",
        "error     | rcpt     | 550 | 5.1.1  | <a@b.example>: Recipient address rejected: User unknown | false",
        "error     | rcpt     | 550 |        | no such user                              | false",
        "error     | rcpt     | 553 | 5.1.0  | mailbox name not allowed                  | false",
        "error     | dns      | 0   |        |                                          | false",
        "transient | mail     | 450 | 4.7.1  |                                          | false",
        "transient | rcpt     | 450 | 4.7.1  | <>: Sender address rejected: try later    | false",
        "pass      | rcpt     | 250 | 2.1.5  |                                          | false",
    })
    void aPolicyRejectionIsARefusalOfUsNotOfTheAddress(String result, String stage, int code, String enhanced, String text,
                                                     boolean expected) {
        Verdict v = Verdict.builder(Result.valueOf(result.toUpperCase(Locale.ROOT)), Stage.valueOf(stage.toUpperCase(Locale.ROOT)))
            .code(code).enhancedCode(enhanced).text(text).build();

        assertThat(PolicyRejection.isPolicyRejection(v)).isEqualTo(expected);
    }
}
