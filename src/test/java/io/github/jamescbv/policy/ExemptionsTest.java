package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ExemptionsTest {
    private final Exemptions exemptions = new Exemptions(Exemptions.parseDomains("Gmail.com, yahoo.com."),
        Exemptions.parseNetworks("10.0.0.0/8 2001:db8::/32"));

    @Test
    void skipsTheDomainAndItsSubdomainsButNotLookAlikes() {
        assertThat(exemptions.reason("gmail.com", Optional.empty())).contains("sender domain gmail.com is in skipDomains");
        assertThat(exemptions.reason("eu.YAHOO.com", Optional.empty())).isPresent();
        assertThat(exemptions.reason("notgmail.com", Optional.empty())).isEmpty();
        assertThat(exemptions.reason("gmail.com.evil.example", Optional.empty())).isEmpty();
    }

    @Test
    void skipsClientNetworksV4AndV6() throws Exception {
        assertThat(exemptions.reason("example.com", Optional.of(InetAddress.getByName("10.9.8.7"))))
            .contains("client 10.9.8.7 is in skipNetworks 10.0.0.0/8");
        assertThat(exemptions.reason("example.com", Optional.of(InetAddress.getByName("2001:db8::25")))).isPresent();
        assertThat(exemptions.reason("example.com", Optional.of(InetAddress.getByName("192.0.2.1")))).isEmpty();
        assertThat(exemptions.reason("example.com", Optional.empty())).isEmpty();
    }

    @Test
    void badEntriesAreNamed() {
        assertThatThrownBy(() -> Exemptions.parseDomains("ok.com bad!domain")).hasMessageContaining("bad!domain");
        assertThatThrownBy(() -> Exemptions.parseNetworks("10.0.0.0/8, mynet")).hasMessageContaining("mynet");
    }
}
