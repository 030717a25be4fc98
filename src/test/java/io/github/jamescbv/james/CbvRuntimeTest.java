package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.james.e2e.JamesUnderTest;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.verify.Verifier;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One engine and one memory per James, configured by the handlers whatever the start order, closed once. */
class CbvRuntimeTest {
    /** Remembers nothing that passed: tells whose settings a cache was built with. */
    static final CacheSettings NO_PASS_CACHING = new CacheSettings(Duration.ZERO, Duration.ofHours(3), Duration.ofMinutes(5), 1000);
    static final Duration WAIT = Duration.ofSeconds(5);

    final FakeVerifier engine = new FakeVerifier();
    final CbvRuntime runtime = new CbvRuntime(settings -> engine);

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
    void aCallbackInFlightForTheHandlerIsJoinedByTheMailetInsteadOfAskedAgain() throws Exception {
        engine.pendingCallbacks();
        GuardedVerifier handler = runtime.protect(engine, WAIT, CacheSettings.DEFAULTS, LimitSettings.DEFAULTS, "handler");
        GuardedVerifier mailet = runtime.join(engine, WAIT, "mailet");
        CallbackTarget target = CallbackTarget.viaMx(EmailAddress.parse("forged@remote.example"));

        CompletionStage<Verdict> first = handler.verify(target, Optional.empty(), DialogListener.NONE);
        CompletionStage<Verdict> second = mailet.verify(target, Optional.empty(), DialogListener.NONE);
        engine.pending("forged@remote.example").complete(
            Verdict.builder(Result.ERROR, Stage.RCPT).code(550).domain("remote.example").build());

        assertThat(first.toCompletableFuture().get(5, TimeUnit.SECONDS).result()).isEqualTo(Result.ERROR);
        assertThat(second.toCompletableFuture().get(5, TimeUnit.SECONDS).result()).isEqualTo(Result.ERROR);
        assertThat(engine.askedAsText()).as("one callback for both").containsExactly("forged@remote.example");
    }

    @Test
    void whatTheProcesssMemoryForgetsIsForgottenForTheHandler() throws Exception {
        GuardedVerifier handler = runtime.protect(engine, WAIT, CacheSettings.DEFAULTS, LimitSettings.DEFAULTS, "handler");
        verify(handler, "alice@remote.example");

        runtime.protections("a route").memory().forgetAddress("alice@remote.example")
            .toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(verify(handler, "alice@remote.example").cached()).isFalse();
        assertThat(engine.asked()).hasSize(2);
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
    void theRealEnginesShareOneSetOfThreadsThatClosingStops() throws Exception {
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        CbvRuntime real = new CbvRuntime();
        try (ScriptedSmtpServer mx = ScriptedSmtpServer.start(SmtpScript.standard())) {
            DomainMap map = DomainMap.builder().add("remote.example", "[127.0.0.1]:" + mx.port()).build();
            for (String helo : List.of("one.example", "two.example", "three.example")) {
                Verifier engine = real.engine(VerifierSettings.builder().heloName(helo)
                    .allowPrivateTargets(true).build());
                GuardedVerifier guarded = real.join(engine, WAIT, helo);
                CallbackTarget target = map.route(EmailAddress.parse("alice-" + helo + "@remote.example"));
                assertThat(guarded.verify(target, Optional.empty(), DialogListener.NONE).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).result()).isEqualTo(Result.PASS);
            }
            assertThat(mx.connectionCount()).isEqualTo(3);
        }

        List<String> threads = JamesUnderTest.engineThreadsSince(before);
        assertThat(threads).as("three engines, one timer and one limits thread").containsOnlyOnce("cbv-timer", "cbv-limits");
        assertThat(threads).as("and one event loop group").filteredOn(n -> n.startsWith("cbv-smtp-"))
            .hasSizeBetween(1, VerifierSettings.DEFAULT_IO_THREADS);

        real.close();
        real.close();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(JamesUnderTest.engineThreadsSince(before)).isEmpty());
        assertThatThrownBy(() -> real.engine(VerifierSettings.builder().build()))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void guiceGivesEveryHandlerAndMailetOfAnInjectorTheSameRuntime() {
        Injector injector = Guice.createInjector(binder -> {
            binder.bind(DomainList.class).toInstance(new CallbackVerifyHandlerTest.FakeDomains(false));
            binder.bind(MetricFactory.class).toInstance(new RecordingMetricFactory());
            binder.bind(GaugeRegistry.class).toInstance(new NoopGaugeRegistry());
            // James binds its ConfigurationProvider and DNSService, which this name needs; not the subject here
            binder.bind(JamesHostName.class).toInstance(JamesHostName.UNKNOWN);
        });
        CbvRuntime a = injector.getInstance(CbvRuntime.class);

        assertThat(injector.getInstance(CbvRuntime.class)).isSameAs(a);
        assertThat(injector.createChildInjector().getInstance(CbvRuntime.class)).isSameAs(a);
        injector.getInstance(CallbackVerifyHandler.class);
        injector.getInstance(CallbackVerifyMailet.class);
        a.close();
    }
}
