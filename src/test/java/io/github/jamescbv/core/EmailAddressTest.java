package io.github.jamescbv.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressTest {

    @Test
    void keepsLocalPartAndLowerCasesDomain() throws Exception {
        EmailAddress a = EmailAddress.parse("<John.Doe+tag@Example.COM.>");
        assertThat(a.localPart()).isEqualTo("John.Doe+tag");
        assertThat(a.domain()).isEqualTo("example.com");
        assertThat(a).hasToString("John.Doe+tag@example.com");
    }

    @Test
    void aDomainMayStartWithDigits() throws Exception {
        assertThat(EmailAddress.parse("info@3com.com").domain()).isEqualTo("3com.com");
    }

    @Test
    void acceptsQuotedLocalParts() throws Exception {
        assertThat(EmailAddress.parse("\"john doe\"@example.com").localPart()).isEqualTo("\"john doe\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a@example.com\r\nRCPT TO:<x@y.z>", "a\n@example.com", "a\u0000b@example.com",
        "jos\u00e9@example.com", "user@ex\u00e4mple.com", "noatsign", "@example.com", "a@", "a@localhost",
        "a..b@example.com", ".a@example.com", "a b@example.com", "a@[192.0.2.1]", "a@192.0.2.1", "a@IPv6:2001:db8::1", "a@-bad.example.com",
        "a@exa_mple..com", "\"unterminated@example.com"})
    void refusesUnsafeOrMalformedAddresses(String input) {
        assertThatThrownBy(() -> EmailAddress.parse(input)).isInstanceOf(InvalidAddressException.class)
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0000"));
    }

    @Test
    void enforcesRfc5321Lengths() {
        String local65 = "a".repeat(65);
        assertThatThrownBy(() -> EmailAddress.parse(local65 + "@example.com")).hasMessageContaining("local part longer than 64");
        String label64 = "b".repeat(64);
        assertThatThrownBy(() -> EmailAddress.parse("a@" + label64 + ".com")).hasMessageContaining("bad domain label");
        String longDomain = ("c".repeat(60) + ".").repeat(5) + "com";
        assertThatThrownBy(() -> EmailAddress.parse("a@" + longDomain)).hasMessageContaining("longer than 254");
    }
}
