package io.github.jamescbv.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DomainMapTest {
    private final DomainMap map = DomainMap.builder()
        .add("yahoo.net", "Yahoo.COM")
        .add("Corp.Example", "[mx.corp.example]:2525")
        .add("v6.example", "[2001:db8::1]")
        .build();

    @Test
    void mapsToADomainCaseInsensitivelyOnTheWholeDomain() throws Exception {
        CallbackTarget t = map.route(EmailAddress.parse("Joe@YAHOO.NET"));
        assertThat(t.domain()).isEqualTo("yahoo.com");
        assertThat(t.recipient()).hasToString("Joe@yahoo.com");
        assertThat(t.directHost()).isEmpty();
        assertThat(map.route(EmailAddress.parse("joe@mail.yahoo.net")).domain()).isEqualTo("mail.yahoo.net");
    }

    @Test
    void mapsToAHostKeepingTheAddress() throws Exception {
        CallbackTarget t = map.route(EmailAddress.parse("joe@corp.example"));
        assertThat(t.directHost()).contains("mx.corp.example");
        assertThat(t.directPort()).isEqualTo(2525);
        assertThat(t.recipient()).hasToString("joe@corp.example");
        CallbackTarget v6 = map.route(EmailAddress.parse("joe@v6.example"));
        assertThat(v6.directHost()).contains("2001:db8::1");
        assertThat(v6.directPort()).isZero();
    }

    @Test
    void malformedEntriesAreRefusedWithTheValue() {
        assertThatThrownBy(() -> DomainMap.builder().add("bad domain", "x.com")).hasMessageContaining("bad domain");
        assertThatThrownBy(() -> DomainMap.builder().add("a.com", "")).hasMessageContaining("missing target");
        assertThatThrownBy(() -> DomainMap.builder().add("a.com", "[host")).hasMessageContaining("[host");
        assertThatThrownBy(() -> DomainMap.builder().add("a.com", "[host]:99999")).hasMessageContaining("bad port '99999'");
        assertThatThrownBy(() -> DomainMap.builder().add("a.com", "[host]x")).hasMessageContaining("[host]x");
        assertThatThrownBy(() -> DomainMap.builder().add("a.com", "b.com").add("A.com", "c.com"))
            .hasMessageContaining("given twice");
    }
}
