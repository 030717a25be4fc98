package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One cache and one set of limits per James, configured by the handlers whatever the start order. */
class SharedProtectionsTest {
    static final Verdict PASS = Verdict.builder(Result.PASS, Stage.RCPT).code(250).domain("remote.example").build();
    /** Remembers nothing that passed: tells whose settings a cache was built with. */
    static final CacheSettings NO_PASS_CACHING = new CacheSettings(Duration.ZERO, Duration.ofHours(3), Duration.ofMinutes(5), 1000);

    final SharedProtections shared = new SharedProtections();

    @Test
    void aMailetThatJoinsBeforeTheHandlerGetsTheHandlersSettings() {
        // James 3.8.1 initialises the mailet container before the SMTP servers.
        SharedProtections.Parts mailet = shared.join("mailet");
        SharedProtections.Parts handler = shared.obtain(NO_PASS_CACHING, LimitSettings.DEFAULTS, "handler");

        mailet.cache.record("alice@remote.example", "remote.example", PASS);

        assertThat(mailet.cache.lookup("alice@remote.example", "remote.example")).as("passTtl 0 of the handler").isEmpty();
        assertThat(handler.cache.size()).isZero();
    }

    @Test
    void aMailetThatJoinsAfterTheHandlerSharesItsCache() {
        SharedProtections.Parts handler = shared.obtain(CacheSettings.DEFAULTS, LimitSettings.DEFAULTS, "handler");
        SharedProtections.Parts mailet = shared.join("mailet");

        handler.cache.record("alice@remote.example", "remote.example", PASS);

        assertThat(mailet.cache.lookup("alice@remote.example", "remote.example"))
            .hasValueSatisfying(v -> assertThat(v.cached()).isTrue());
    }

    @Test
    void withoutAnyHandlerAMailetGetsTheDefaults() {
        SharedProtections.Parts mailet = shared.join("mailet");
        SharedProtections.Parts another = shared.join("another mailet");

        mailet.cache.record("alice@remote.example", "remote.example", PASS);

        assertThat(another.cache.lookup("alice@remote.example", "remote.example")).isPresent();
    }

    @Test
    void aHandlerStartingAfterTheDefaultsWereUsedCannotChangeThem() {
        SharedProtections.Parts mailet = shared.join("mailet");
        mailet.cache.record("alice@remote.example", "remote.example", PASS); // first use: the defaults

        SharedProtections.Parts handler = shared.obtain(NO_PASS_CACHING, LimitSettings.DEFAULTS, "handler");

        assertThat(handler.cache.lookup("alice@remote.example", "remote.example")).as("reported and ignored").isPresent();
    }

    @Test
    void theLastUserToReleaseForgetsTheCache() {
        SharedProtections.Parts handler = shared.obtain(CacheSettings.DEFAULTS, LimitSettings.DEFAULTS, "handler");
        shared.join("mailet");
        handler.cache.record("alice@remote.example", "remote.example", PASS);

        shared.release();
        SharedProtections.Parts stillShared = shared.join("later mailet");
        assertThat(stillShared.cache.lookup("alice@remote.example", "remote.example")).isPresent();

        shared.release();
        shared.release();
        SharedProtections.Parts fresh = shared.join("after a restart");
        assertThat(fresh.cache.lookup("alice@remote.example", "remote.example")).isEmpty();
        shared.release();
    }
}
