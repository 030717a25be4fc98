package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.junit.jupiter.api.Test;

/** The attributes a verdict becomes: what mailets match on, and that it survives a persistent queue. */
class VerdictAttributesTest {
    private static final Verdict PASS = Verdict.builder(Result.PASS, Stage.RCPT).code(250).domain("remote.example").build();

    private final VerdictAttributes attributes = new VerdictAttributes("smtp_cbv_result");

    private static Map<String, Object> byName(List<Attribute> list) {
        return list.stream().collect(Collectors.toMap(a -> a.getName().asString(), a -> a.getValue().value()));
    }

    @Test
    void aPassWithoutChecksIsTheResultTheDetailAndItsSummary() {
        assertThat(byName(attributes.of(PASS)))
            .containsOnlyKeys("smtp_cbv_result", "smtp_cbv_result.detail", "smtp_cbv_result.summary")
            .containsEntry("smtp_cbv_result", "pass");
    }

    @Test
    void theSummaryIsTheDetailForPeopleWithTheTextLast() {
        Verdict v = Verdict.builder(Result.ERROR, Stage.RCPT).code(550).enhancedCode("5.1.1")
            .text("<nobody@remote.example>: Recipient address rejected: User unknown, sorry")
            .mxHost("mx.remote.example").ip("192.0.2.25").tls(Verdict.NO_TLS).domain("remote.example")
            .elapsed(Duration.ofMillis(12)).waited(Duration.ofMillis(18003)).build();

        assertThat(byName(attributes.of(v))).containsEntry("smtp_cbv_result.summary",
            "result=error, stage=rcpt, code=550, enhancedCode=5.1.1, mxHost=mx.remote.example, ip=192.0.2.25, "
                + "tls=none, domain=remote.example, elapsedMs=12, waitMs=18003, cached=false, policyRejection=false, "
                + "text=<nobody@remote.example>: Recipient address rejected: User unknown, sorry");
    }

    @Test
    void theSummaryLeavesOutWhatIsEmpty() {
        Verdict refused = Verdict.builder(Result.TRANSIENT, Stage.POLICY).text("verification capacity exceeded").build();
        assertThat(byName(attributes.of(refused))).containsEntry("smtp_cbv_result.summary",
            "result=transient, stage=policy, elapsedMs=0, waitMs=0, cached=false, policyRejection=false, "
                + "text=verification capacity exceeded");
    }

    @Test
    void aDomainThatAcceptsAllAddsAcceptAllTrue() {
        Verdict v = PASS.toBuilder().acceptAll(Fact.of(true, "cbv-x@remote.example answered 250 Ok"))
            .postmasterRejected(Fact.of(false, "postmaster@remote.example answered 250 Ok")).build();

        List<Attribute> list = attributes.of(v);

        assertThat(byName(list)).containsEntry("smtp_cbv_result.accept_all", true);
        @SuppressWarnings("unchecked")
        Map<String, AttributeValue<?>> detail = (Map<String, AttributeValue<?>>) byName(list).get("smtp_cbv_result.detail");
        assertThat(detail.get("acceptAll").value()).isEqualTo("true");
        assertThat(detail.get("postmasterRejected").value()).isEqualTo("false");
        for (Attribute a : list) {
            assertThat(a.getValue().toJson()).as("%s serializes for persistent queues", a.getName()).isPresent();
        }
    }

    @Test
    void aPassServedWhileItIsRenewedSaysSoInTheDetailAndOnlyThen() {
        @SuppressWarnings("unchecked")
        Map<String, AttributeValue<?>> renewing = (Map<String, AttributeValue<?>>) byName(attributes.of(
            PASS.toBuilder().cached(true).refreshing(true).build())).get("smtp_cbv_result.detail");
        assertThat(renewing.get("cached").value()).isEqualTo("true");
        assertThat(renewing.get("refreshing").value()).isEqualTo("true");
        @SuppressWarnings("unchecked")
        Map<String, AttributeValue<?>> plain = (Map<String, AttributeValue<?>>) byName(attributes.of(PASS))
            .get("smtp_cbv_result.detail");
        assertThat(plain).doesNotContainKey("refreshing");
    }

    @Test
    void noAcceptAllAttributeUnlessTrue() {
        assertThat(byName(attributes.of(PASS.toBuilder().acceptAll(Fact.of(false, "550")).build())))
            .doesNotContainKey("smtp_cbv_result.accept_all");
        assertThat(byName(attributes.of(PASS.toBuilder().acceptAll(Fact.unknown("no reply")).build())))
            .doesNotContainKey("smtp_cbv_result.accept_all");
    }
}
