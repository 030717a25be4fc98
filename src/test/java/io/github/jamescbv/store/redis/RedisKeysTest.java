package io.github.jamescbv.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.policy.CacheScope;
import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our key names, and the slot a Redis Cluster gives them (lettuce computes it as Redis does). */
class RedisKeysTest {
    private final RedisKeys keys = new RedisKeys("cbv:");

    @Test
    void everyKeyNamesWhatItHoldsThenItsDomainAsAHashTag() {
        assertThat(keys.verdict(CacheScope.ADDRESS, "alice@example.com")).isEqualTo("cbv:a:{example.com}:alice@example.com");
        assertThat(keys.verdict(CacheScope.DOMAIN, "example.com")).isEqualTo("cbv:d:{example.com}");
        assertThat(keys.verdict(CacheScope.ACCEPT_ALL, "example.com")).isEqualTo("cbv:f:{example.com}");
        assertThat(keys.claim("alice@example.com")).isEqualTo("cbv:c:{example.com}:alice@example.com");
        assertThat(keys.budget("example.com")).containsExactly("cbv:l:{example.com}", "cbv:v:{example.com}", "cbv:s:{example.com}");
        assertThat(keys.client("2001:db8::/64")).isEqualTo("cbv:k:2001:db8::/64");
    }

    /** Braces in a local part (legal, quoted or not) come after the tag: they cannot move the key to another slot. */
    @ParameterizedTest
    @ValueSource(strings = {"alice@example.com", "{x}@example.com", "}{@example.com", "\"a}b{c\"@example.com",
        "\"x@{y}\"@example.com", "a{@example.com"})
    void everyKeyOfADomainIsInItsSlotWhateverTheLocalPart(String address) {
        int slot = SlotHash.getSlot("example.com");

        List<String> all = new ArrayList<>(List.of(keys.verdict(CacheScope.ADDRESS, address), keys.claim(address),
            keys.verdict(CacheScope.DOMAIN, "example.com"), keys.verdict(CacheScope.ACCEPT_ALL, "example.com")));
        all.addAll(List.of(keys.budget("example.com")));

        assertThat(all).allSatisfy(key -> assertThat(SlotHash.getSlot(key)).as(key).isEqualTo(slot));
    }

    /** No valid domain holds one; one that did could split its keys (an empty tag when it began with '}'). */
    @Test
    void aDomainHoldingBracesIsNoKeyWhileALocalPartMayHoldThem() {
        assertThat(RedisKeys.fits("\"a}b{\"@example.com")).isTrue();
        assertThat(RedisKeys.fits("example.com")).isTrue();
        assertThat(List.of("}{", "ex{ample.com", "a@}example.com", "a@b{c}.example")).noneMatch(RedisKeys::fits);
        assertThat(RedisKeys.fits("a".repeat(RedisKeys.MAX_NAME + 1))).isFalse();
        assertThat(RedisKeys.fits("")).isFalse();
    }

    @Test
    void anAddressWithoutDomainHasAnEmptyTag() {
        assertThat(keys.verdict(CacheScope.ADDRESS, "postmaster")).isEqualTo("cbv:a:{}:postmaster");
    }

    @Test
    void patternsAreEscapedAndTellVerdictsFromClaimsAndBudgets() {
        assertThat(keys.addressesOfPattern("ex*ample.com")).isEqualTo("cbv:a:{ex\\*ample.com}:*");
        assertThat(keys.heldPattern()).isEqualTo("cbv:[adf]:*");
        assertThat(new RedisKeys("a[1]-").heldPattern()).isEqualTo("a\\[1\\]\\-[adf]:*");
        assertThat(List.of(keys.claim("\"x}:a:y\"@example.com"), keys.budget("example.com")[0], keys.client("192.0.2.7")))
            .noneMatch(k -> k.startsWith("cbv:a:") || k.startsWith("cbv:d:") || k.startsWith("cbv:f:"));
    }
}
