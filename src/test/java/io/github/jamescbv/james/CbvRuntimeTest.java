package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One engine and one memory per James, configured by the handlers whatever the start order, closed once. */
class CbvRuntimeTest {
    /** Remembers nothing that passed: tells whose settings a cache was built with. */
    static final CacheSettings NO_PASS_CACHING = new CacheSettings(Duration.ZERO, Duration.ofHours(3), Duration.ofMinutes(5), 1000);
    static final Duration WAIT = Duration.ofSeconds(5);

    final FakeVerifier engine = new FakeVerifier();
    final List<String> closed = new ArrayList<>();
    final CbvRuntime runtime = new CbvRuntime(new CbvRuntime.Engines() {
        @Override
        public io.github.jamescbv.verify.Verifier engine(VerifierSettings settings) {
            return engine;
        }

        @Override
        public void close() {
            closed.add("engines");
        }
    });

    @AfterEach
    void close() {
        runtime.close();
    }

    static Verdict verify(GuardedVerifier v, String address) throws Exception {
        CallbackTarget target = CallbackTarget.viaMx(EmailAddress.parse(address));
        return v.verify(target, Optional.empty(), DialogListener.NONE).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aMailetThatJoinsAfterTheHandlerConfiguredSharesItsMemory() throws Exception {
        GuardedVerifier handler = runtime.protect(engine, WAIT, CacheSettings.DEFAULTS, LimitSettings.DEFAULTS, "handler");
        GuardedVerifier mailet = runtime.join(engine, WAIT, "mailet");

        verify(handler, "alice@remote.example");
        Verdict again = verify(mailet, "alice@remote.example");

        assertThat(again.cached()).isTrue();
        assertThat(engine.askedAsText()).containsExactly("alice@remote.example");
    }

    @Test
    void aMailetJoiningBeforeAnyHandlerGetsTheDefaultsWhichAHandlerCannotChangeLater() throws Exception {
        GuardedVerifier mailet = runtime.join(engine, WAIT, "mailet");
        GuardedVerifier handler = runtime.protect(engine, WAIT, NO_PASS_CACHING, LimitSettings.DEFAULTS, "handler");

        verify(mailet, "alice@remote.example");

        assertThat(verify(handler, "alice@remote.example").cached()).as("passTtl 0 reported and ignored").isTrue();
    }

    @Test
    void theFirstHandlersSettingsHoldForEveryLaterUser() throws Exception {
        GuardedVerifier first = runtime.protect(engine, WAIT, NO_PASS_CACHING, LimitSettings.DEFAULTS, "first handler");
        GuardedVerifier second = runtime.protect(engine, WAIT, CacheSettings.DEFAULTS, LimitSettings.DEFAULTS, "second");
        GuardedVerifier mailet = runtime.join(engine, WAIT, "mailet");

        verify(first, "alice@remote.example");

        assertThat(verify(second, "alice@remote.example").cached()).as("no pass remembered").isFalse();
        assertThat(verify(mailet, "alice@remote.example").cached()).isFalse();
        assertThat(engine.asked()).hasSize(3);
    }

    @Test
    void closingStopsTheEnginesOnceAndRefusesNewUsers() {
        runtime.close();
        runtime.close();

        assertThat(closed).containsExactly("engines");
        assertThatThrownBy(() -> runtime.engine(VerifierSettings.builder().build()))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void guiceGivesEveryHandlerAndMailetOfAnInjectorTheSameRuntime() {
        Injector injector = Guice.createInjector(binder -> {
            binder.bind(DomainList.class).toInstance(new CallbackVerifyHandlerTest.FakeDomains(false));
            binder.bind(MetricFactory.class).toInstance(new RecordingMetricFactory());
        });
        CbvRuntime a = injector.getInstance(CbvRuntime.class);

        assertThat(injector.getInstance(CbvRuntime.class)).isSameAs(a);
        assertThat(injector.createChildInjector().getInstance(CbvRuntime.class)).isSameAs(a);
        injector.getInstance(CallbackVerifyHandler.class);
        injector.getInstance(CallbackVerifyMailet.class);
        a.close();
    }
}
