package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jamescbv.core.HeloName;
import io.github.jamescbv.smtp.TlsPolicy;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.mail.MessagingException;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MailetSettingsTest {

    static MailetSettings parse(String... parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("cbv");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        return MailetSettings.parse(config.build());
    }

    @Test
    void withoutHeloNameTheProbesSayTheNameJamesAnnounces() throws Exception {
        MailetSettings given = MailetSettings.parse(FakeMailetConfig.builder().mailetName("cbv")
            .setProperty("heloName", "mx.example.org").build(), () -> {
                throw new AssertionError("the default was asked for");
            });
        MailetSettings defaulted = MailetSettings.parse(FakeMailetConfig.builder().mailetName("cbv").build(),
            () -> HeloName.of("mx.announced.test", "the <helloName> of James's SMTP servers"));

        assertThat(given.engine().heloName()).isEqualTo("mx.example.org");
        assertThat(defaulted.engine().heloName()).isEqualTo("mx.announced.test");
        assertThat(defaulted.toString()).contains(" heloName=mx.announced.test (the <helloName> of James's SMTP servers) ");
    }

    @Test
    void noParametersGiveTheDefaults() throws Exception {
        MailetSettings s = parse();

        assertThat(s.address()).hasToString("sender");
        assertThat(s.attribute()).isEqualTo("smtp_cbv_result");
        assertThat(s.maxWait()).isEqualTo(Duration.ofSeconds(30));
        VerifierSettings e = s.engine();
        assertThat(e.mailFrom()).isEmpty();
        assertThat(e.port()).isEqualTo(25);
        assertThat(e.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(e.commandTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(e.totalTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(e.maxMxAttempts()).isEqualTo(5);
        assertThat(e.dnsServers()).isEmpty();
        assertThat(e.allowPrivateTargets()).isFalse();
        assertThat(e.tls()).isEqualTo(TlsPolicy.MAY);
        assertThat(e.pipelining()).isTrue();
        assertThat(s.map().entries()).isEmpty();
    }

    @Test
    void everyParameterOfTheReadmeIsRead() throws Exception {
        MailetSettings s = parse(
            "address", "header:From",
            "attribute", "smtp_cbv_from",
            "maxWait", "5s",
            "mailfrom", "verifier@example.org",
            "heloName", "mx.example.org",
            "port", "2525",
            "connectTimeout", "3s",
            "commandTimeout", "4s",
            "totalTimeout", "2m",
            "maxMxAttempts", "2",
            "dns", "127.0.0.53, [::1]:5353",
            "allowPrivateTargets", "TRUE",
            "allowTargetNetworks", "10.1.0.0/16 fd00::/8",
            "tls", "none",
            "pipelining", "false",
            "map", "yahoo.net=yahoo.com, corp.example=[mx.corp.example]:2525",
            "onMailetException", "ignore");

        assertThat(s.address()).hasToString("header:From");
        assertThat(s.attribute()).isEqualTo("smtp_cbv_from");
        assertThat(s.maxWait()).isEqualTo(Duration.ofSeconds(5));
        VerifierSettings e = s.engine();
        assertThat(e.mailFrom()).hasValueSatisfying(a -> assertThat(a).hasToString("verifier@example.org"));
        assertThat(e.heloName()).isEqualTo("mx.example.org");
        assertThat(e.port()).isEqualTo(2525);
        assertThat(e.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(e.commandTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(e.totalTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(e.maxMxAttempts()).isEqualTo(2);
        assertThat(e.dnsServers()).isEqualTo(List.of("127.0.0.53", "[::1]:5353"));
        assertThat(e.allowPrivateTargets()).isTrue();
        assertThat(e.allowTargetNetworks()).extracting(Object::toString).containsExactly("10.1.0.0/16", "fd00::/8");
        assertThat(e.tls()).isEqualTo(TlsPolicy.NONE);
        assertThat(e.pipelining()).isFalse();
        assertThat(s.toString()).endsWith(" tls=none pipelining=false");
        assertThat(s.map().entries()).isEqualTo(Map.of("yahoo.net", "yahoo.com", "corp.example", "[mx.corp.example]:2525"));
    }

    @Test
    void emptyMailFromDnsAndMapMeanTheNullSenderTheSystemResolversAndNoMap() throws Exception {
        MailetSettings s = parse("mailfrom", "<>", "dns", "", "map", "");

        assertThat(s.engine().mailFrom()).isEmpty();
        assertThat(s.engine().dnsServers()).isEmpty();
        assertThat(s.map().entries()).isEmpty();
    }

    @Test
    void aLiteralAddressIsKeptAndAHeaderNameIsKeptAsWritten() throws Exception {
        assertThat(parse("address", "Postmaster@Remote.Example").address()).hasToString("Postmaster@remote.example");
        assertThat(parse("address", "HEADER:reply-to").address()).hasToString("header:reply-to");
        assertThat(parse("address", " Sender ").address()).hasToString("sender");
    }

    @Test
    void anUnknownParameterIsRefusedNamingItAndItsValue() {
        assertThatThrownBy(() -> parse("adress", "header:From"))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("CallbackVerifyMailet")
            .hasMessageContaining("'adress'")
            .hasMessageContaining("header:From")
            .hasMessageContaining("known: address, mailfrom, map, attribute");
    }

    @Test
    void theHandlersCacheAndLimitElementsAreNotMailetParameters() {
        // They are shared with the handler and configured there; silently ignoring them would mislead.
        for (String handlerOnly : List.of("phase", "cache", "maxConcurrent", "perClientRate", "skipDomains")) {
            assertThatThrownBy(() -> parse(handlerOnly, "1")).hasMessageContaining("unknown init parameter '" + handlerOnly + "'");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "address             | nobody                    | not of the form local@domain",
        "address             | header:                   | bad header name",
        "address             | header:From To            | bad header name",
        "address             | alice@[192.0.2.1]         | address literal",
        "attribute           | smtp cbv                  | bad attribute name",
        "attribute           | ''                        | bad attribute name",
        "maxWait             | forever                   | bad duration",
        "maxWait             | 11m                       | longer than 10m",
        "mailfrom            | not-an-address            | bad address",
        "heloName            | bad_host!                 | bad heloName",
        "port                | 70000                     | bad port",
        "connectTimeout      | 0s                        | must be more than zero",
        "commandTimeout      | soon                      | bad duration",
        "totalTimeout        | -1s                       | bad duration",
        "maxMxAttempts       | many                      | bad number",
        "maxMxAttempts       | 0                         | expected 1-100",
        "dns                 | 127.0.0.1:99999           | bad port",
        "allowPrivateTargets | yes                       | expected true or false",
        "allowTargetNetworks | 10.0.0.0/99               | bad network '10.0.0.0/99'",
        "allowTargetNetworks | intranet                  | bad network 'intranet'",
        "tls                 | required                  | bad tls 'required' (expected may, none or encrypt)",
        "pipelining          | no                        | bad boolean 'no' (expected true or false)",
        "map                 | yahoo.net                 | expected from=to",
        "map                 | yahoo.net=                | missing target",
        "map                 | a.example=b.example, a.example=c.example | given twice",
        "map                 | corp.example=[mx.corp.example]:0 | bad port",
    })
    void aBadValueIsRefusedNamingTheParameterAndTheValue(String name, String value, String reason) {
        assertThatThrownBy(() -> parse(name, value))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("CallbackVerifyMailet: bad init parameter " + name + "='" + value + "'")
            .hasMessageContaining(reason);
    }
}
