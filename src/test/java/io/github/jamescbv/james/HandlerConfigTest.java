package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jamescbv.core.HeloName;
import io.github.jamescbv.smtp.ReuseSettings;
import io.github.jamescbv.smtp.TlsPolicy;
import io.github.jamescbv.store.redis.RedisSettings;
import io.github.jamescbv.verify.VerifierSettings;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HandlerConfigTest {
    private static final String CLASS = "io.github.jamescbv.james.CallbackVerifyHandler";

    /** The handler's subtree as James hands it over: one of handlerchain's configurationsAt("handler"). */
    static HierarchicalConfiguration<ImmutableNode> handler(String body) throws ConfigurationException {
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(new StringReader(
            "<smtpserver><handlerchain><handler class=\"" + CLASS + "\">" + body + "</handler></handlerchain></smtpserver>"));
        return xml.configurationAt("handlerchain").configurationsAt("handler").get(0);
    }

    static HandlerConfig parse(String body) throws ConfigurationException {
        return HandlerConfig.parse(handler(body));
    }

    @Test
    void emptyHandlerGetsTheDefaults() throws Exception {
        HandlerConfig c = parse("");

        assertThat(c.phase()).isEqualTo(Phase.RCPTTO);
        assertThat(c.attribute()).isEqualTo("smtp_cbv_result");
        assertThat(c.maxWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.verifyAuthenticated()).isFalse();
        VerifierSettings s = c.settings();
        assertThat(s.mailFrom()).isEmpty();
        assertThat(s.port()).isEqualTo(25);
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.totalTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.maxMxAttempts()).isEqualTo(5);
        assertThat(s.dnsServers()).isEmpty();
        assertThat(s.allowPrivateTargets()).isFalse();
        assertThat(c.map().entries()).isEmpty();
        assertThat(s.randomCheck()).isFalse();
        assertThat(s.postmasterCheck()).isFalse();
        assertThat(s.tls()).isEqualTo(TlsPolicy.MAY);
        assertThat(s.pipelining()).isTrue();
    }

    @Test
    void everyElementOfTheReadmeIsRead() throws Exception {
        HandlerConfig c = parse(
            "<phase>rcptto</phase>"
                + "<mailfrom>verifier@example.org</mailfrom>"
                + "<map><entry from=\"yahoo.net\" to=\"yahoo.com\"/><entry from=\"corp.example\" to=\"[mx.corp.example]:2525\"/></map>"
                + "<attribute>cbv</attribute>"
                + "<maxWait>500ms</maxWait>"
                + "<heloName>mx.example.org</heloName>"
                + "<port>2525</port>"
                + "<connectTimeout>3s</connectTimeout>"
                + "<commandTimeout>4s</commandTimeout>"
                + "<totalTimeout>2m</totalTimeout>"
                + "<maxMxAttempts>2</maxMxAttempts>"
                + "<dns><server>127.0.0.53</server><server>[::1]:5353</server></dns>"
                + "<allowPrivateTargets>true</allowPrivateTargets>"
                + "<tls>encrypt</tls>"
                + "<pipelining>false</pipelining>"
                + "<verifyAuthenticated>TRUE</verifyAuthenticated>"
                + "<randomCheck>true</randomCheck>"
                + "<postmasterCheck> True </postmasterCheck>");

        assertThat(c.phase()).isEqualTo(Phase.RCPTTO);
        assertThat(c.attribute()).isEqualTo("cbv");
        assertThat(c.maxWait()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.verifyAuthenticated()).isTrue();
        VerifierSettings s = c.settings();
        assertThat(s.mailFrom()).hasValueSatisfying(a -> assertThat(a.toString()).isEqualTo("verifier@example.org"));
        assertThat(s.heloName()).isEqualTo("mx.example.org");
        assertThat(s.port()).isEqualTo(2525);
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(s.totalTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.maxMxAttempts()).isEqualTo(2);
        assertThat(s.dnsServers()).containsExactly("127.0.0.53", "[::1]:5353");
        assertThat(s.allowPrivateTargets()).isTrue();
        assertThat(s.randomCheck()).isTrue();
        assertThat(s.postmasterCheck()).isTrue();
        assertThat(s.tls()).isEqualTo(TlsPolicy.ENCRYPT);
        assertThat(s.pipelining()).isFalse();
        assertThat(c.toString()).contains(" tls=encrypt pipelining=false ");
        assertThat(c.map().entries()).containsExactly(
            Map.entry("yahoo.net", "yahoo.com"), Map.entry("corp.example", "[mx.corp.example]:2525"));
    }

    @Test
    void aGivenHeloNameIsTakenAndTheDefaultNotEvenAskedFor() throws Exception {
        HandlerConfig c = HandlerConfig.parse(handler("<heloName>mx.example.org</heloName>"), () -> {
            throw new AssertionError("the default was asked for");
        });

        assertThat(c.settings().heloName()).isEqualTo("mx.example.org");
        assertThat(c.heloName()).hasToString("mx.example.org (configured)");
        assertThat(c.toString()).contains(" heloName=mx.example.org (configured) ");
    }

    @Test
    void withoutHeloNameTheProbesSayTheDefaultAndTheLogSaysWhereItCameFrom() throws Exception {
        HandlerConfig c = HandlerConfig.parse(handler(""),
            () -> HeloName.of("mx.announced.test", "the <helloName> of <smtpserver> port25"));

        assertThat(c.settings().heloName()).isEqualTo("mx.announced.test");
        assertThat(c.toString()).contains(" heloName=mx.announced.test (the <helloName> of <smtpserver> port25) ");
    }

    @Test
    void cacheLimitsAndExemptionsHaveTheIssuesDefaults() throws Exception {
        HandlerConfig c = parse("");
        assertThat(c.cache().passTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(c.cache().errorTtl()).isEqualTo(Duration.ofHours(3));
        assertThat(c.cache().transientTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.cache().maxEntries()).isEqualTo(100_000);
        assertThat(c.cache().dnsFailureTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.cache().passRefresh()).isEqualTo(Duration.ofDays(1));
        assertThat(c.limits().maxConcurrent()).isEqualTo(64);
        assertThat(c.limits().maxQueued()).isEqualTo(1000);
        assertThat(c.limits().perDomainConcurrent()).isEqualTo(2);
        assertThat(c.limits().perDomainRate()).isEqualTo(30);
        assertThat(c.limits().perClientRate()).isEqualTo(20);
        assertThat(c.exemptions().reason("gmail.com", java.util.Optional.empty())).isEmpty();
        assertThat(c.reuse()).isEqualTo(ReuseSettings.DEFAULTS);
        assertThat(c.reuse().enabled()).isTrue();
        assertThat(c.toString()).contains(" reuse=[idleTime=2s maxProbes=20 maxLifetime=1m afterRejected=3] ");
    }

    @Test
    void connectionReuseIsReadAndEitherSwitchTurnsItOff() throws Exception {
        HandlerConfig c = parse("<reuse><idleTime>500ms</idleTime><maxProbes>5</maxProbes>"
            + "<maxLifetime>2m</maxLifetime><afterRejected>0</afterRejected></reuse>");
        assertThat(c.reuse()).isEqualTo(new ReuseSettings(Duration.ofMillis(500), 5, Duration.ofMinutes(2), 0));
        assertThat(parse("<reuse><maxProbes>1</maxProbes></reuse>").reuse().enabled()).isFalse();
        assertThat(parse("<reuse><idleTime>0s</idleTime></reuse>").reuse().enabled()).isFalse();
        assertThat(parse("<reuse><idleTime>0s</idleTime></reuse>").toString()).contains(" reuse=[reuse off] ");
    }

    @Test
    void passRefreshIsReadZeroTurnsItOffAndUnsetItIsADayAtMostAQuarterOfPassTtl() throws Exception {
        assertThat(parse("<cache><passRefresh>6h</passRefresh></cache>").cache().passRefresh()).isEqualTo(Duration.ofHours(6));
        assertThat(parse("<cache><passRefresh>0</passRefresh></cache>").cache().passRefresh()).isZero();
        assertThat(parse("<cache><passTtl>31d</passTtl></cache>").cache().passRefresh()).isEqualTo(Duration.ofDays(1));
        assertThat(parse("<cache><passTtl>2d</passTtl></cache>").cache().passRefresh()).isEqualTo(Duration.ofHours(12));
        assertThat(parse("<cache><passTtl>0</passTtl></cache>").cache().passRefresh()).as("no pass kept, none renewed").isZero();
        assertThat(parse("<cache><passTtl>0</passTtl><passRefresh>0</passRefresh></cache>").cache().passRefresh()).isZero();
        assertThat(parse("<cache><passRefresh>2h</passRefresh></cache>").toString()).contains("passRefresh=PT2H");
    }

    @Test
    void cacheLimitsAndExemptionsAreRead() throws Exception {
        HandlerConfig c = parse("<cache><passTtl>1d</passTtl><errorTtl>0</errorTtl><transientTtl>90s</transientTtl>"
            + "<maxEntries>500</maxEntries><dnsFailureTtl>0</dnsFailureTtl></cache>"
            + "<maxConcurrent>8</maxConcurrent><maxQueued>0</maxQueued><perDomainConcurrent>1</perDomainConcurrent>"
            + "<perDomainRate>5</perDomainRate><perClientRate>3</perClientRate>"
            + "<skipDomains>gmail.com yahoo.com,Hotmail.com</skipDomains>"
            + "<skipNetworks>10.0.0.0/8, 2001:db8::/32</skipNetworks>");
        assertThat(c.cache().passTtl()).isEqualTo(Duration.ofDays(1));
        assertThat(c.cache().errorTtl()).isZero();
        assertThat(c.cache().transientTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.cache().maxEntries()).isEqualTo(500);
        assertThat(c.cache().dnsFailureTtl()).isZero();
        assertThat(c.limits().maxConcurrent()).isEqualTo(8);
        assertThat(c.limits().maxQueued()).isZero();
        assertThat(c.limits().perDomainConcurrent()).isEqualTo(1);
        assertThat(c.limits().perDomainRate()).isEqualTo(5);
        assertThat(c.limits().perClientRate()).isEqualTo(3);
        assertThat(c.exemptions().reason("mail.hotmail.com", java.util.Optional.empty())).isPresent();
        assertThat(c.exemptions().reason("example.com",
            java.util.Optional.of(java.net.InetAddress.getByName("10.1.2.3")))).isPresent();
        assertThat(c.exemptions().reason("example.com",
            java.util.Optional.of(java.net.InetAddress.getByName("192.0.2.1")))).isEmpty();
    }

    @Test
    void allowTargetNetworksIsReadAndNoneByDefault() throws Exception {
        assertThat(parse("").settings().allowTargetNetworks()).isEmpty();
        HandlerConfig c = parse("<allowTargetNetworks>127.0.0.20/30, ::1/128</allowTargetNetworks>");
        assertThat(c.settings().allowTargetNetworks()).extracting(Object::toString).containsExactly("127.0.0.20/30", "::1/128");
        assertThat(c.settings().allowPrivateTargets()).isFalse();
        assertThat(c.toString()).contains("allowTargetNetworks=[127.0.0.20/30, ::1/128]");
    }

    @Test
    void enforcementIsOffByDefault() throws Exception {
        EnforcementSettings e = parse("").enforcement();

        assertThat(e.action()).isEqualTo(EnforcementAction.RECORD);
        assertThat(e.rcptMaxWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(e.rejectMessage()).isEmpty();
        assertThat(e.rejectOnPolicyError()).isFalse();
    }

    @Test
    void enforcementElementsAreRead() throws Exception {
        EnforcementSettings e = parse("<action>Defer</action><rcptMaxWait>5m</rcptMaxWait>"
            + "<rejectMessage>  Unverified sender; see https://example.org/cbv  </rejectMessage>"
            + "<rejectOnPolicyError>true</rejectOnPolicyError>").enforcement();

        assertThat(e.action()).isEqualTo(EnforcementAction.DEFER);
        assertThat(e.rcptMaxWait()).isEqualTo(Duration.ofMinutes(5));
        assertThat(e.rejectMessage()).contains("Unverified sender; see https://example.org/cbv");
        assertThat(e.rejectOnPolicyError()).isTrue();
        for (String action : List.of("record", "reject", "warn")) {
            assertThat(parse("<action>" + action + "</action>").enforcement().action().word()).isEqualTo(action);
        }
        assertThat(parse("<rcptMaxWait>0s</rcptMaxWait>").enforcement().rcptMaxWait()).isZero();
    }

    @Test
    void aRejectMessageLongerThanAReplyLineAllowsStopsJames() {
        assertThatThrownBy(() -> parse("<rejectMessage>" + "x".repeat(401) + "</rejectMessage>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("<rejectMessage>")
            .hasMessageContaining("xxxxxxxx")
            .hasMessageContaining("400");
    }

    @Test
    void withoutRedisTheMemoryIsThisProcesssAndWithItEveryElementIsRead() throws Exception {
        assertThat(parse("").redis()).isEmpty();
        assertThat(parse("").toString()).contains("store=memory");

        HandlerConfig c = parse("<redis><url>redis://s3cret@127.0.0.1:6390/2</url><keyPrefix>mx1:</keyPrefix>"
            + "<timeout>250ms</timeout><nearCacheEntries>0</nearCacheEntries><nearCacheTime>2s</nearCacheTime></redis>");
        RedisSettings r = c.redis().orElseThrow();
        assertThat(r.url()).isEqualTo("redis://s3cret@127.0.0.1:6390/2");
        assertThat(r.keyPrefix()).isEqualTo("mx1:");
        assertThat(r.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(r.nearCacheEntries()).isZero();
        assertThat(r.nearCacheTime()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.toString()).as("the start-up line shows the store but never the password")
            .contains("store=redis[url=redis://***@127.0.0.1:6390/2 keyPrefix=mx1:").doesNotContain("s3cret");

        RedisSettings defaults = parse("<redis><url>redis://127.0.0.1</url></redis>").redis().orElseThrow();
        assertThat(defaults.keyPrefix()).isEqualTo("cbv:");
        assertThat(defaults.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(defaults.nearCacheEntries()).isEqualTo(1_000);
        assertThat(defaults.nearCacheTime()).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse("<redis><url>rediss://h.example:6380</url></redis>").redis()).isPresent();
        assertThat(parse("<redis><url>redis-sentinel://127.0.0.1:26379/0#mymaster</url></redis>").redis()).isPresent();
    }

    @Test
    void severalRedisUrlsOrClusterTrueNameARedisCluster() throws Exception {
        RedisSettings seeds = parse("<redis><url>redis://s3cret@10.0.0.1:7000, redis://s3cret@10.0.0.2:7001</url></redis>")
            .redis().orElseThrow();
        assertThat(seeds.cluster()).isTrue();
        assertThat(seeds.urls()).containsExactly("redis://s3cret@10.0.0.1:7000", "redis://s3cret@10.0.0.2:7001");
        assertThat(seeds.toString()).as("every seed's password hidden")
            .contains("url=redis://***@10.0.0.1:7000,redis://***@10.0.0.2:7001").contains("cluster=true")
            .doesNotContain("s3cret");

        RedisSettings oneSeed = parse("<redis><url>redis://10.0.0.1:7000</url><cluster>true</cluster></redis>").redis().orElseThrow();
        assertThat(oneSeed.cluster()).isTrue();
        assertThat(oneSeed.urls()).containsExactly("redis://10.0.0.1:7000");

        assertThat(parse("<redis><url>redis://10.0.0.1:6379</url></redis>").redis().orElseThrow().cluster()).isFalse();
        assertThat(parse("<redis><url>redis://10.0.0.1:6379</url><cluster>false</cluster></redis>").redis().orElseThrow())
            .isEqualTo(RedisSettings.of("redis://10.0.0.1:6379"));
        RedisSettings sentinels = parse("<redis><url>redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/0#mymaster</url></redis>")
            .redis().orElseThrow();
        assertThat(sentinels.cluster()).as("a Sentinel URI lists its sentinels with commas: one URI, no cluster").isFalse();
        assertThat(sentinels.urls()).hasSize(1);
    }

    @Test
    void theSamplesCommentedRedisParsesOnceUncommented() throws Exception {
        String sample = java.nio.file.Files.readString(java.nio.file.Path.of("conf-samples/smtpserver.xml"));
        String opened = sample.replace("(one INFO).\n", "(one INFO). -->\n").replace("</redis>\n                -->", "</redis>");
        assertThat(opened).as("the sample's <redis> block is where this test expects it").isNotEqualTo(sample);
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(new StringReader(opened));
        HierarchicalConfiguration<ImmutableNode> handler = xml.configurationsAt("smtpserver(0).handlerchain.handler").stream()
            .filter(h -> CLASS.equals(h.getString("[@class]"))).findFirst().orElseThrow();

        RedisSettings redis = HandlerConfig.parse(handler).redis().orElseThrow();

        assertThat(redis).isEqualTo(RedisSettings.of("redis://127.0.0.1:6379"));
    }

    @Test
    void aBadRedisUrlNeverShowsItsPassword() {
        assertThatThrownBy(() -> parse("<redis><url>http://s3cret@127.0.0.1</url></redis>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("<redis>").hasMessageContaining("http://***@127.0.0.1")
            .hasMessageNotContaining("s3cret");
    }

    @Test
    void emptyOrNullMailFromMeansTheNullSender() throws Exception {
        assertThat(parse("<mailfrom></mailfrom>").settings().mailFrom()).isEmpty();
        assertThat(parse("<mailfrom/>").settings().mailFrom()).isEmpty();
        assertThat(parse("<mailfrom>&lt;&gt;</mailfrom>").settings().mailFrom()).isEmpty();
    }

    @Test
    void valuesMayComeFromSystemPropertiesAsAnywhereInJamesConfiguration() throws Exception {
        System.setProperty("cbv.test.port", "2526");
        try {
            HandlerConfig c = parse("<port>${sys:cbv.test.port}</port>"
                + "<map><entry from=\"a.example\" to=\"[127.0.0.1]:${sys:cbv.test.port}\"/></map>");
            assertThat(c.settings().port()).isEqualTo(2526);
            assertThat(c.map().entries()).containsEntry("a.example", "[127.0.0.1]:2526");
        } finally {
            System.clearProperty("cbv.test.port");
        }
    }

    @Test
    void zeroMaxWaitMeansNeverHold() throws Exception {
        assertThat(parse("<maxWait>0s</maxWait>").maxWait()).isZero();
    }

    @Test
    void theSampleOfTheIssueParses() throws Exception {
        HandlerConfig c = parse(String.join("\n", List.of(
            "<phase>mailfrom</phase>",
            "<mailfrom></mailfrom>",
            "<map>",
            "  <entry from=\"yahoo.net\" to=\"yahoo.com\"/>",
            "  <entry from=\"corp.example\" to=\"[mx.corp.example]:2525\"/>",
            "</map>",
            "<attribute>smtp_cbv_result</attribute>",
            "<maxWait>30s</maxWait>",
            "<heloName>mx.example.org</heloName>",
            "<port>25</port>",
            "<connectTimeout>10s</connectTimeout>",
            "<commandTimeout>30s</commandTimeout>",
            "<totalTimeout>60s</totalTimeout>",
            "<maxMxAttempts>5</maxMxAttempts>",
            "<dns><server>127.0.0.53</server></dns>",
            "<allowPrivateTargets>false</allowPrivateTargets>",
            "<verifyAuthenticated>false</verifyAuthenticated>")));
        assertThat(c.map().entries()).hasSize(2);
        assertThat(c.settings().dnsServers()).containsExactly("127.0.0.53");
    }

    @ParameterizedTest(name = "{0} -> names {1} and {2}")
    @CsvSource(delimiter = '|', value = {
        "<phsae>rcptto</phsae>                          | phsae                | phsae",
        "<dns><timeout>5s</timeout></dns>               | dns.timeout          | dns.timeout",
        "<map><alias from='a.example' to='b.example'/></map> | map.alias       | a.example",
        "<phase>data</phase>                            | <phase>              | data",
        "<phase>mailfrom</phase><phase>rcptto</phase>   | <phase>              | more than once",
        "<maxWait>10x</maxWait>                         | <maxWait>            | 10x",
        "<maxWait>11m</maxWait>                         | <maxWait>            | 11m",
        "<connectTimeout>soon</connectTimeout>          | <connectTimeout>     | soon",
        "<commandTimeout>0s</commandTimeout>            | <commandTimeout>     | PT0S",
        "<totalTimeout>-1s</totalTimeout>               | <totalTimeout>       | -1s",
        "<totalTimeout>61m</totalTimeout>               | <totalTimeout>       | PT1H1M",
        "<commandTimeout>999999999999d</commandTimeout> | <commandTimeout>     | at most 60m",
        "<port>70000</port>                             | <port>               | 70000",
        "<port>smtp</port>                              | <port>               | smtp",
        "<port></port>                                  | <port>               | ''",
        "<maxMxAttempts>five</maxMxAttempts>            | <maxMxAttempts>      | five",
        "<maxMxAttempts>0</maxMxAttempts>               | <maxMxAttempts>      | '0'",
        "<map><entry from='a.example'/></map>           | <map>                | a.example",
        "<map><entry to='b.example'/></map>             | <map>                | b.example",
        "<map><entry from='bad..example' to='b.example'/></map> | <map>        | bad..example",
        "<map><entry from='a.example' to='[mx.example]:99999'/></map> | <map>  | 99999",
        "<map><entry from='a.example' to='[mx.example'/></map> | <map>         | [mx.example",
        "<map><entry from='a.example' to='b.example'/><entry from='A.example' to='c.example'/></map> | <map> | a.example",
        "<mailfrom>no-at-sign</mailfrom>                | <mailfrom>           | no-at-sign",
        "<heloName>bad_host!</heloName>                 | <heloName>           | bad_host!",
        "<dns><server>not a host</server></dns>         | <dns><server>        | not a host",
        "<dns><server>127.0.0.1:0</server></dns>        | <dns><server>        | 127.0.0.1:0",
        "<allowPrivateTargets>yes</allowPrivateTargets> | <allowPrivateTargets> | yes",
        "<allowTargetNetworks>127.0.0.0/33</allowTargetNetworks> | <allowTargetNetworks> | 127.0.0.0/33",
        "<allowTargetNetworks>mx.corp.example</allowTargetNetworks> | <allowTargetNetworks> | mx.corp.example",
        "<allowTargetNetworks>10.0.0.0/8</allowTargetNetworks><allowTargetNetworks>::1</allowTargetNetworks> | <allowTargetNetworks> | more than once",
        "<verifyAuthenticated>1</verifyAuthenticated>   | <verifyAuthenticated> | '1'",
        "<randomCheck>yes</randomCheck>                 | <randomCheck>        | yes",
        "<tls>dane</tls>                                | <tls>                | dane",
        "<tls>may</tls><tls>none</tls>                  | <tls>                | more than once",
        "<pipelining>off</pipelining>                   | <pipelining>         | off",
        "<randomCheck>true</randomCheck><randomCheck>false</randomCheck> | <randomCheck> | more than once",
        "<postmasterCheck>on</postmasterCheck>          | <postmasterCheck>    | on",
        "<postmasterCheck></postmasterCheck>            | <postmasterCheck>    | ''",
        "<randomcheck>true</randomcheck>                | randomcheck          | randomCheck",
        "<attribute>smtp cbv</attribute>                | <attribute>          | smtp cbv",
        "<cache><passTtl>forever</passTtl></cache>      | <cache><passTtl>     | forever",
        "<cache><errorTtl>-3h</errorTtl></cache>        | <cache><errorTtl>    | -3h",
        "<cache><maxEntries>lots</maxEntries></cache>   | <cache><maxEntries>  | lots",
        "<cache><dnsFailureTtl>-30s</dnsFailureTtl></cache> | <cache><dnsFailureTtl> | -30s",
        "<cache><dnsFailureTtl>brief</dnsFailureTtl></cache> | <cache><dnsFailureTtl> | brief",
        "<cache><maxEntries>-1</maxEntries></cache>     | <cache>              | -1",
        "<cache><size>5</size></cache>                  | cache.size           | '5'",
        "<cache><passRefresh>7d</passRefresh></cache>   | <cache><passRefresh> | below passTtl 7d, or 0: never",
        "<cache><passTtl>12h</passTtl><passRefresh>1d</passRefresh></cache> | <cache><passRefresh> | below passTtl 12h",
        "<cache><passTtl>0</passTtl><passRefresh>1h</passRefresh></cache> | <cache><passRefresh> | 1h",
        "<cache><passRefresh>-1h</passRefresh></cache>  | <cache><passRefresh> | -1h",
        "<cache><passRefresh>daily</passRefresh></cache> | <cache><passRefresh> | daily",
        "<reuse><idleTime>2m</idleTime></reuse>         | <reuse><idleTime>    | 2m",
        "<reuse><idleTime>soon</idleTime></reuse>       | <reuse><idleTime>    | soon",
        "<reuse><maxProbes>0</maxProbes></reuse>        | <reuse><maxProbes>   | '0'",
        "<reuse><maxProbes>many</maxProbes></reuse>     | <reuse><maxProbes>   | many",
        "<reuse><maxLifetime>0s</maxLifetime></reuse>   | <reuse><maxLifetime> | 0s",
        "<reuse><afterRejected>-1</afterRejected></reuse> | <reuse><afterRejected> | -1",
        "<reuse><maxIdle>2s</maxIdle></reuse>           | reuse.maxIdle        | '2s'",
        "<maxConcurrent>0</maxConcurrent>               | <maxConcurrent>      | '0'",
        "<maxQueued>-1</maxQueued>                      | <maxQueued>          | -1",
        "<perDomainConcurrent>two</perDomainConcurrent> | <perDomainConcurrent> | two",
        "<perDomainRate>0</perDomainRate>               | <perDomainRate>      | '0'",
        "<randomCheck>true</randomCheck><postmasterCheck>true</postmasterCheck><perDomainRate>2</perDomainRate> | <perDomainRate> | 2 is below the 3 RCPT TOs",
        "<perClientRate>0</perClientRate>               | <perClientRate>      | '0'",
        "<skipDomains>gmail.com, bad..domain</skipDomains> | <skipDomains>     | bad..domain",
        "<skipNetworks>10.0.0.0/33</skipNetworks>       | <skipNetworks>       | 10.0.0.0/33",
        "<skipNetworks>intranet.example</skipNetworks>  | <skipNetworks>       | intranet.example",
        "<action>block</action>                         | <action>             | block",
        "<action>reject</action><action>warn</action>   | <action>             | more than once",
        "<rcptMaxWait>6m</rcptMaxWait>                  | <rcptMaxWait>        | 6m",
        "<rcptMaxWait>soon</rcptMaxWait>                | <rcptMaxWait>        | soon",
        "<rcptMaxWait>-1s</rcptMaxWait>                 | <rcptMaxWait>        | -1s",
        "<rejectMessage>Go&#13;&#10;250 OK</rejectMessage> | <rejectMessage>   | Go??250 OK",
        "<rejectMessage>Caf&#233; closed</rejectMessage> | <rejectMessage>     | Caf? closed",
        "<rejectMessage></rejectMessage>                | <rejectMessage>      | empty",
        "<rejectOnPolicyError>yes</rejectOnPolicyError> | <rejectOnPolicyError> | yes",
        "<redis><url>http://127.0.0.1:6379</url></redis> | <redis>            | http://127.0.0.1:6379",
        "<redis><url>redis://</url></redis>             | <redis>              | redis://",
        "<redis><url>redis://a:1,redis://b:2</url><cluster>false</cluster></redis> | <redis><cluster> | false",
        "<redis><url>redis://h</url><cluster>yes</cluster></redis> | <redis><cluster> | yes",
        "<redis><url>redis-sentinel://h:26379/0#m</url><cluster>true</cluster></redis> | <redis><cluster> | Sentinel",
        "<redis><url>redis://a:1/2,redis://b:2</url></redis> | <redis>         | database 0",
        "<redis><url>redis://a:1,b:2</url></redis>      | <redis>              | redis://a:1,b:2",
        "<redis><url>redis://h</url><keyPrefix>{x}:</keyPrefix></redis> | <redis> | {x}:",
        "<redis><cluster>true</cluster></redis>         | <redis><url>         | missing",
        "<redis><url></url></redis>                     | <redis>              | empty url",
        "<redis><url>redis://h</url><timeout>1m</timeout></redis> | <redis>    | 1m",
        "<redis><url>redis://h</url><timeout>soon</timeout></redis> | <redis><timeout> | soon",
        "<redis><url>redis://h</url><keyPrefix>a b</keyPrefix></redis> | <redis> | a b",
        "<redis><url>redis://h</url><nearCacheEntries>-1</nearCacheEntries></redis> | <redis> | -1",
        "<redis><url>redis://h</url><nearCacheTime>6m</nearCacheTime></redis> | <redis> | 6m",
        "<redis><keyPrefix>x:</keyPrefix></redis>       | <redis><url>         | missing",
    })
    void everyMistakeStopsJamesNamingTheElementAndTheValue(String body, String element, String value) {
        assertThatThrownBy(() -> parse(body.replace('\'', '"')))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining(element)
            .hasMessageContaining(value);
    }
}
