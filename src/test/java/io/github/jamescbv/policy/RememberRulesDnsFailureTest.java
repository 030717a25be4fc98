package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How long a DNS failure is remembered for each setting of {@code dnsFailureTtl} and
 * {@code transientTtl}: what {@link RememberRules} asks a store to write. The stores themselves
 * carry it out alike ({@link VerdictMemoryContract}).
 */
class RememberRulesDnsFailureTest {
    private static final Duration PASS = Duration.ofDays(7);
    private static final Duration ERROR = Duration.ofHours(3);
    private static final Duration TRANSIENT = Duration.ofMinutes(5);

    @Test
    void aServfailOrATimeoutLivesForDnsFailureTtl() {
        RememberRules rules = rules(TRANSIENT, Duration.ofSeconds(30));
        assertThat(writes(rules, dns(DnsFailure.SERVFAIL))).containsExactly("put DOMAIN d.test 30000");
        assertThat(writes(rules, dns(DnsFailure.TIMEOUT))).containsExactly("put DOMAIN d.test 30000");
        assertThat(writes(rules, dns(DnsFailure.OTHER))).containsExactly("put DOMAIN d.test 30000");
    }

    @Test
    void aDnsTransientWithoutACauseIsADnsFailureAllTheSame() {
        Verdict noCause = Verdict.builder(Result.TRANSIENT, Stage.DNS).text("total timeout 60s reached").build();
        assertThat(writes(rules(TRANSIENT, Duration.ofSeconds(30)), noCause)).containsExactly("put DOMAIN d.test 30000");
    }

    @Test
    void anUnreachableResolverWritesNothingAndForgetsNothing() {
        assertThat(writes(rules(TRANSIENT, Duration.ofSeconds(30)), dns(DnsFailure.RESOLVER_UNREACHABLE))).isEmpty();
    }

    @Test
    void dnsFailureTtlZeroRemembersNoDnsFailure() {
        RememberRules rules = rules(TRANSIENT, Duration.ZERO);
        assertThat(writes(rules, dns(DnsFailure.SERVFAIL))).isEmpty();
        assertThat(writes(rules, Verdict.builder(Result.TRANSIENT, Stage.CONNECT).build()))
            .as("other transients keep transientTtl").containsExactly("put DOMAIN d.test 300000");
    }

    @Test
    void aDnsFailureNeverOutlivesOtherTransients() {
        assertThat(writes(rules(Duration.ofSeconds(10), Duration.ofMinutes(1)), dns(DnsFailure.TIMEOUT)))
            .containsExactly("put DOMAIN d.test 10000");
        assertThat(writes(rules(Duration.ZERO, Duration.ofSeconds(30)), dns(DnsFailure.TIMEOUT)))
            .as("transientTtl 0: no transient at all").isEmpty();
    }

    @Test
    void definiteDnsAnswersKeepTheErrorTtl() {
        Verdict nxdomain = Verdict.builder(Result.ERROR, Stage.DNS).text("NXDOMAIN for d.test").build();
        assertThat(writes(rules(TRANSIENT, Duration.ofSeconds(30)), nxdomain)).containsExactly("put DOMAIN d.test 10800000");
    }

    private static RememberRules rules(Duration transientTtl, Duration dnsFailureTtl) {
        return new RememberRules(new CacheSettings(PASS, ERROR, transientTtl, 1000, dnsFailureTtl));
    }

    private static Verdict dns(DnsFailure cause) {
        return Verdict.builder(Result.TRANSIENT, Stage.DNS).text("MX lookup for d.test failed").dnsFailure(cause).build();
    }

    private static List<String> writes(RememberRules rules, Verdict v) {
        List<String> writes = new ArrayList<>();
        rules.apply("a@d.test", "d.test", v, 1_000_000L, new RememberRules.Writes() {
            @Override
            public void put(CacheScope scope, String key, byte[] packed, long ttlMillis) {
                writes.add("put " + scope + " " + key + " " + ttlMillis);
            }

            @Override
            public void remove(CacheScope scope, String key) {
                writes.add("remove " + scope + " " + key);
            }
        });
        return writes;
    }
}
