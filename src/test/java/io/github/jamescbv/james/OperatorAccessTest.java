package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.policy.Limit;
import io.github.jamescbv.testing.FakeVerifier;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.james.metrics.api.Gauge;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the first handler registers for WebAdmin ({@link OperatorAccess}), and what the process
 * counts where James and WebAdmin read it ({@link CbvCounts}, the protections' gauges).
 */
class OperatorAccessTest {
    final FakeVerifier engine = new FakeVerifier();
    final RecordingMetricFactory metrics = new RecordingMetricFactory();
    final Map<String, Gauge<?>> gauges = new ConcurrentHashMap<>();
    final CbvRuntime runtime = new CbvRuntime(settings -> engine, RecordingGauges.into(gauges), metrics);

    @AfterEach
    void close() {
        runtime.close();
    }

    private CallbackVerifyHandler handler(String config) throws Exception {
        return OperatorTesting.handler(runtime, metrics, config);
    }

    private OperatorAccess access() {
        return runtime.operators().orElseThrow();
    }

    @Test
    void nothingIsRegisteredUntilAHandlerIsConfigured() {
        assertThat(runtime.operators()).isEmpty();
    }

    @Test
    void theFirstHandlersMapAndSkipDomainsAreKept() throws Exception {
        handler("<map><entry from=\"alias.example\" to=\"remote.example\"/></map><skipDomains>skip.example</skipDomains>");
        handler("<map><entry from=\"alias.example\" to=\"other.example\"/></map>");

        EmailAddress aliased = EmailAddress.parse("x@alias.example");
        assertThat(access().target(aliased).recipient()).hasToString("x@remote.example");
        assertThat(access().calledBackDomain("alias.example")).isEqualTo("remote.example");
        assertThat(access().calledBackDomain("plain.example")).isEqualTo("plain.example");
        assertThat(access().notProbed(EmailAddress.parse("a@sub.skip.example"))).get().asString().contains("skipDomains");
        assertThat(access().notProbed(aliased)).isEmpty();
    }

    @Test
    void aVerificationNowCallsBackDespiteTheMemoryAndIsCountedAsAVerdict() throws Exception {
        handler("<map><entry from=\"alias.example\" to=\"remote.example\"/></map>");
        List<String> dialog = new CopyOnWriteArrayList<>();
        engine.answering(a -> CompletableFuture.completedFuture(
            Verdict.builder(Result.ERROR, Stage.RCPT).code(550).domain("remote.example").build()));

        Verdict first = access().verifyNow(EmailAddress.parse("x@alias.example"), dialog::add);
        Verdict second = access().verifyNow(EmailAddress.parse("x@alias.example"), dialog::add);

        assertThat(first.result()).isEqualTo(Result.ERROR);
        assertThat(second.cached()).isFalse();
        assertThat(engine.askedAsText()).containsExactly("x@alias.example", "x@alias.example");
        CbvCounts counts = new CbvCounts(metrics);
        assertThat(counts.verdicts(Result.ERROR)).isEqualTo(2);
        assertThat(counts.misses()).as("neither looked into the memory").isZero();
    }

    @Test
    void everyGuardOfTheRuntimeCountsIntoJamesMetricsWhereTheCountsReadThem() throws Exception {
        handler("<perClientRate>1</perClientRate>");
        GuardedVerifier mailet = runtime.join(engine, Duration.ofSeconds(5), "mailet");

        verify(mailet, "a@remote.example", "192.0.2.1");
        verify(mailet, "a@remote.example", "192.0.2.2");
        verify(mailet, "b@remote.example", "192.0.2.1");

        CbvCounts counts = new CbvCounts(metrics);
        assertThat(counts.misses()).isEqualTo(2);
        assertThat(counts.hits()).isEqualTo(1);
        assertThat(counts.joined()).isZero();
        assertThat(counts.refused(Limit.CLIENT_RATE)).isEqualTo(1);
        assertThat(metrics.countFor("smtp_cbv_refused_client_rate")).isEqualTo(1);
        assertThat(metrics.countFor("smtp_cbv_refused_domain_concurrency")).isZero();
    }

    private static Verdict verify(GuardedVerifier v, String address, String client) throws Exception {
        return v.verify(CallbackTarget.viaMx(EmailAddress.parse(address)), Optional.of(InetAddress.getByName(client)),
            DialogListener.NONE).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void theProtectionsGaugesAreRegisteredWhenAHandlerConfiguresThem() throws Exception {
        handler("");

        assertThat(gauges).containsKeys("smtp_cbv_callbacks_in_flight", "smtp_cbv_callbacks_queued",
            "smtp_cbv_callbacks_waiting_for_domain", "smtp_cbv_cache_entries");
        assertThat(gauges.get("smtp_cbv_callbacks_in_flight").get()).isEqualTo(0);
        // A fake engine has no probe client: the connection gauges are there and read none.
        assertThat(gauges.get("smtp_cbv_connections_open").get()).isEqualTo(0);
        assertThat(gauges.get("smtp_cbv_connections_idle").get()).isEqualTo(0);
        assertThat(gauges.get("smtp_cbv_connections_reused").get()).isEqualTo(0L);
        access().verifyNow(EmailAddress.parse("a@remote.example"), line -> { });
        assertThat(gauges.get("smtp_cbv_cache_entries").get()).isEqualTo(1L);
    }
}
