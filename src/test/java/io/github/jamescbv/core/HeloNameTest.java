package io.github.jamescbv.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeloNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"mx.example.org", "MX.Example.ORG", "mx.example.org.", "a.b", "verifier.cbv.test",
        "mail-1.example.co.uk", "192.0.2.1.example.net"})
    void namesARemoteCanLookUpAreFullyQualified(String name) {
        assertThat(HeloName.whyNotFullyQualified(name)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mailhost                | it has no dot",
        "localhost               | it has no dot",
        "mailhost.               | it has no dot",
        "localhost.localdomain   | names under .localdomain are not in the public DNS",
        "mx.LocalDomain          | names under .localdomain are not in the public DNS",
        "foo.localhost           | names under .localhost are not in the public DNS",
        "macbook.local           | names under .local are not in the public DNS",
        "vm-1.c.project.internal | names under .internal are not in the public DNS",
        "router.home.arpa        | names under .home.arpa are not in the public DNS",
        "192.0.2.1               | it is an IP address, not a name",
    })
    void namesARemoteCannotCheckSayWhy(String name, String why) {
        assertThat(HeloName.whyNotFullyQualified(name)).contains(why);
    }

    @Test
    void theFallbackIsNotFullyQualified() {
        assertThat(HeloName.whyNotFullyQualified(HeloName.FALLBACK)).isPresent();
    }

    @Test
    void aNameKeepsItsSourceAndLosesTheRootDotWhenItComesFromDns() {
        HeloName n = HeloName.ifValid("mx.example.org.", "reverse DNS").orElseThrow();
        assertThat(n.name()).isEqualTo("mx.example.org");
        assertThat(n.source()).isEqualTo("reverse DNS");
        assertThat(n).hasToString("mx.example.org (reverse DNS)");
    }

    @Test
    void whatIsNoHostNameIsRefusedOrSkipped() {
        assertThatThrownBy(() -> HeloName.of("mx example.org", "configured"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad heloName 'mx example.org'");
        assertThat(HeloName.ifValid("[192.0.2.1]", "x")).isEmpty();
        assertThat(HeloName.ifValid(null, "x")).isEmpty();
        assertThat(HeloName.ifValid("", "x")).isEmpty();
    }

    @Test
    void anAddressIsToldFromAName() {
        assertThat(HeloName.of("192.0.2.1", "x").isAddress()).isTrue();
        assertThat(HeloName.of("mx1.example.org", "x").isAddress()).isFalse();
    }

    @Test
    void theLocalNameIsAlwaysAHostName() {
        HeloName local = HeloName.local();
        assertThat(HeloName.ifValid(local.name(), "again")).isPresent();
        assertThat(local.name()).contains(".");
    }
}
