package io.github.jamescbv.verify;

import static io.github.jamescbv.verify.FakeProbeClient.reply;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DaemonScheduler;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.dns.MxResolution;
import io.github.jamescbv.smtp.ProbeOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The verifier's walk and classification, with a table resolver and a table probe client. */
class CallbackVerifierTest {
    /** The safety nets\' timer, as the engine resources share one; a daemon thread. */
    private static final DaemonScheduler TIMER = new DaemonScheduler("cbv-timer");

    private final FakeMxResolver dns = new FakeMxResolver();
    private final FakeProbeClient smtp = new FakeProbeClient();

    private Verdict verify(String address, DomainMap map, VerifierSettings.Builder settings, boolean allowPrivate)
            throws Exception {
        CallbackVerifier v = new CallbackVerifier(settings.heloName("probe.example.org").build(), dns, smtp,
            new TargetAddressGuard(allowPrivate, List.of()), Ticker.SYSTEM, TIMER, List.of());
        return v.verify(Routed.target(map, address), DialogListener.NONE, DomainFacts.NONE).toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    }

    private Verdict verify(String address, VerifierSettings.Builder settings, boolean allowPrivate) throws Exception {
        return verify(address, DomainMap.EMPTY, settings, allowPrivate);
    }

    private Verdict verify(String address) throws Exception {
        return verify(address, VerifierSettings.builder(), false);
    }

    private List<String> probedIps() {
        return smtp.requests.stream().map(r -> r.route().address().getAddress().getHostAddress()).collect(Collectors.toList());
    }

    @Test
    void rcptAcceptedIsPass() throws Exception {
        dns.found("example.com", "mx1.example.com=8.8.8.1");
        smtp.on("8.8.8.1", reply(Stage.RCPT, 250, "2.1.5", "Ok"));
        Verdict v = verify("Alice@Example.COM");
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.stage()).isEqualTo(Stage.RCPT);
        assertThat(v.code()).isEqualTo(250);
        assertThat(v.mxHost()).isEqualTo("mx1.example.com");
        assertThat(v.ip()).isEqualTo("8.8.8.1");
        assertThat(v.domain()).isEqualTo("example.com");
        assertThat(smtp.requests.get(0).query().recipient().toString()).isEqualTo("Alice@example.com");
        assertThat(smtp.requests.get(0).route().address().getPort()).isEqualTo(25);
        assertThat(smtp.requests.get(0).query().mailFrom()).isEmpty();
    }

    @Test
    void permanentRejectionsAreErrorsAndEndTheWalk() throws Exception {
        for (Stage stage : List.of(Stage.GREETING, Stage.HELO, Stage.MAIL, Stage.RCPT)) {
            smtp.requests.clear();
            dns.found("example.com", "mx1.example.com=8.8.8.1", "mx2.example.com=8.8.8.2");
            smtp.on("8.8.8.1", reply(stage, 550, "5.1.1", "no such user"));
            smtp.on("8.8.8.2", reply(Stage.RCPT, 250, "", "Ok"));
            Verdict v = verify("bob@example.com");
            assertThat(v.result()).as(stage.word()).isEqualTo(Result.ERROR);
            assertThat(v.stage()).isEqualTo(stage);
            assertThat(v.enhancedCode()).isEqualTo("5.1.1");
            assertThat(v.text()).isEqualTo("no such user");
            assertThat(probedIps()).containsExactly("8.8.8.1");
        }
    }

    @Test
    void transientAtMailOrRcptEndsTheWalkWithoutAskingABackupMx() throws Exception {
        for (Stage stage : List.of(Stage.MAIL, Stage.RCPT)) {
            smtp.requests.clear();
            dns.found("example.com", "mx1.example.com=8.8.8.1", "backup.example.net=8.8.8.2");
            smtp.on("8.8.8.1", reply(stage, 450, "4.7.1", "greylisted"));
            smtp.on("8.8.8.2", reply(Stage.RCPT, 250, "", "Ok"));
            Verdict v = verify("bob@example.com");
            assertThat(v.result()).isEqualTo(Result.TRANSIENT);
            assertThat(v.stage()).isEqualTo(stage);
            assertThat(v.code()).isEqualTo(450);
            assertThat(probedIps()).containsExactly("8.8.8.1");
        }
    }

    @Test
    void transientAtGreetingOrHeloAndConnectionFailuresTryTheNextMx() throws Exception {
        dns.found("example.com", "mx1.example.com=8.8.8.1,8.8.8.2", "mx2.example.com=8.8.8.3", "mx3.example.com=8.8.8.4");
        smtp.on("8.8.8.1", reply(Stage.GREETING, 421, "4.3.2", "busy"));
        smtp.on("8.8.8.2", reply(Stage.HELO, 451, "", "try later"));
        smtp.on("8.8.8.3", ProbeOutcome.failed(Stage.RCPT, ProbeOutcome.Failure.TIMEOUT, "no reply within 30s"));
        smtp.on("8.8.8.4", reply(Stage.RCPT, 250, "", "Ok"));
        Verdict v = verify("bob@example.com");
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.mxHost()).isEqualTo("mx3.example.com");
        assertThat(probedIps()).containsExactly("8.8.8.1", "8.8.8.2", "8.8.8.3", "8.8.8.4");
    }

    @Test
    void whenEveryMxFailsTheResultIsTransientWithTheLastReason() throws Exception {
        dns.found("example.com", "mx1.example.com=8.8.8.1", "mx2.example.com=8.8.8.2");
        smtp.on("8.8.8.2", ProbeOutcome.failed(Stage.GREETING, ProbeOutcome.Failure.CLOSED, "connection closed by remote"));
        Verdict v = verify("bob@example.com");
        assertThat(v.result()).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).isEqualTo(Stage.GREETING);
        assertThat(v.text()).contains("2 tried").contains("connection closed by remote");
        assertThat(v.mxHost()).isEqualTo("mx2.example.com");
    }

    @Test
    void atMostMaxMxAttemptsConnections() throws Exception {
        dns.found("example.com", "a.example.com=8.8.8.1", "b.example.com=8.8.8.2", "c.example.com=8.8.8.3",
            "d.example.com=8.8.8.4");
        Verdict v = verify("bob@example.com", VerifierSettings.builder().maxMxAttempts(3), false);
        assertThat(v.result()).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).isEqualTo(Stage.CONNECT);
        assertThat(probedIps()).containsExactly("8.8.8.1", "8.8.8.2", "8.8.8.3");
    }

    @Test
    void dnsOutcomes() throws Exception {
        dns.fails("nx.example", MxResolution.Status.NXDOMAIN);
        dns.fails("null.example", MxResolution.Status.NULL_MX);
        dns.fails("none.example", MxResolution.Status.NO_MAIL_HOST);
        dns.fails("fail.example", MxResolution.Status.TEMPFAIL);
        assertThat(verify("a@nx.example").result()).isEqualTo(Result.ERROR);
        assertThat(verify("a@null.example").result()).isEqualTo(Result.ERROR);
        assertThat(verify("a@none.example").result()).isEqualTo(Result.ERROR);
        Verdict tf = verify("a@fail.example");
        assertThat(tf.result()).isEqualTo(Result.TRANSIENT);
        assertThat(tf.stage()).isEqualTo(Stage.DNS);
        assertThat(tf.text()).isEqualTo("TEMPFAIL for fail.example");
        assertThat(smtp.requests).isEmpty();
    }

    @Test
    void aDnsFailureSaysWhyInTheVerdict() throws Exception {
        dns.tempfails("servfail.example", DnsFailure.SERVFAIL).tempfails("down.example", DnsFailure.RESOLVER_UNREACHABLE);
        Verdict servfail = verify("a@servfail.example");
        assertThat(servfail.dnsFailure()).contains(DnsFailure.SERVFAIL);
        assertThat(servfail.detail()).containsEntry("dnsFailure", "servfail");
        Verdict down = verify("a@down.example");
        assertThat(down.result()).isEqualTo(Result.TRANSIENT);
        assertThat(down.stage()).isEqualTo(Stage.DNS);
        assertThat(down.dnsFailure()).contains(DnsFailure.RESOLVER_UNREACHABLE);
        assertThat(down.detail()).containsEntry("dnsFailure", "resolver-unreachable");
        assertThat(down.toString()).contains("dnsFailure=resolver-unreachable");
        dns.fails("nx.example", MxResolution.Status.NXDOMAIN);
        assertThat(verify("a@nx.example").dnsFailure()).isEmpty();
        assertThat(verify("a@nx.example").detail()).doesNotContainKey("dnsFailure");
    }

    @Test
    void privateTargetsAreRefusedUnlessAllowed() throws Exception {
        dns.found("example.com", "mx1.example.com=127.0.0.1", "mx2.example.com=10.1.2.3");
        Verdict v = verify("bob@example.com");
        assertThat(v.result()).isEqualTo(Result.ERROR);
        assertThat(v.stage()).isEqualTo(Stage.POLICY);
        assertThat(v.text()).contains("127.0.0.1 is loopback").contains("10.1.2.3 is private");
        assertThat(smtp.requests).isEmpty();

        smtp.on("127.0.0.1", reply(Stage.RCPT, 250, "", "Ok"));
        assertThat(verify("bob@example.com", VerifierSettings.builder(), true).result()).isEqualTo(Result.PASS);
    }

    @Test
    void refusedAddressesAreSkippedAndPublicOnesTried() throws Exception {
        dns.found("example.com", "mx1.example.com=192.168.1.1", "mx2.example.com=8.8.8.2");
        smtp.on("8.8.8.2", reply(Stage.RCPT, 250, "", "Ok"));
        assertThat(verify("bob@example.com").result()).isEqualTo(Result.PASS);
        assertThat(probedIps()).containsExactly("8.8.8.2");
    }

    @Test
    void mapToAnotherDomainCallsBackThatDomainWithTheSameLocalPart() throws Exception {
        dns.found("yahoo.com", "mx.yahoo.com=8.8.8.1");
        smtp.on("8.8.8.1", reply(Stage.RCPT, 250, "", "Ok"));
        Verdict v = verify("joe@YAHOO.net", DomainMap.builder().add("Yahoo.Net", "yahoo.com").build(),
            VerifierSettings.builder(), false);
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.domain()).isEqualTo("yahoo.com");
        assertThat(dns.asked).containsExactly("MX yahoo.com");
        assertThat(smtp.requests.get(0).query().recipient().toString()).isEqualTo("joe@yahoo.com");
    }

    @Test
    void mapToAHostConnectsThereAndKeepsTheAddress() throws Exception {
        dns.found("mx.corp.example", "mx.corp.example=8.8.8.9");
        smtp.on("8.8.8.9", reply(Stage.RCPT, 550, "5.1.1", "unknown"));
        Verdict v = verify("joe@corp.example", DomainMap.builder().add("corp.example", "[mx.corp.example]:2525").build(),
            VerifierSettings.builder(), false);
        assertThat(v.result()).isEqualTo(Result.ERROR);
        assertThat(dns.asked).containsExactly("HOST mx.corp.example");
        assertThat(smtp.requests.get(0).route().address().getPort()).isEqualTo(2525);
        assertThat(smtp.requests.get(0).query().recipient().toString()).isEqualTo("joe@corp.example");
        assertThat(v.domain()).isEqualTo("corp.example");
    }

    @Test
    void aFailureInsideTheEngineIsTransientInternal() throws Exception {
        Verdict v = verify("bob@unknown-to-the-fake.example");
        assertThat(v.result()).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).isEqualTo(Stage.INTERNAL);
        assertThat(v.text()).contains("no fake answer");
    }

    @Test
    void theTotalTimeoutEndsAVerificationThatNeverFinishes() throws Exception {
        dns.found("example.com", "mx1.example.com=8.8.8.1");
        smtp.on("8.8.8.1", FakeProbeClient.NEVER);
        Verdict v = verify("bob@example.com", VerifierSettings.builder().totalTimeout(Duration.ofMillis(300)), false);
        assertThat(v.result()).isEqualTo(Result.TRANSIENT);
        assertThat(v.text()).isEqualTo("total timeout 300ms reached");
        assertThat(v.mxHost()).isEqualTo("mx1.example.com");
    }

    @Test
    void theTotalTimeoutReachedAtDnsIsADnsTimeout() throws Exception {
        dns.hangs("example.com");
        Verdict v = verify("bob@example.com", VerifierSettings.builder().totalTimeout(Duration.ofMillis(300)), false);
        assertThat(v.result()).isEqualTo(Result.TRANSIENT);
        assertThat(v.stage()).isEqualTo(Stage.DNS);
        assertThat(v.dnsFailure()).contains(DnsFailure.TIMEOUT);
    }

    @Test
    void theConfiguredProbeSenderAndPortAreUsed() throws Exception {
        dns.found("example.com", "mx1.example.com=8.8.8.1");
        smtp.on("8.8.8.1", reply(Stage.RCPT, 250, "", "Ok"));
        verify("bob@example.com", VerifierSettings.builder().port(2525)
            .mailFrom(java.util.Optional.of(EmailAddress.parse("verify@probe.example.org"))), false);
        assertThat(smtp.requests.get(0).route().address().getPort()).isEqualTo(2525);
        assertThat(smtp.requests.get(0).query().mailFrom().map(Object::toString)).contains("verify@probe.example.org");
        assertThat(smtp.requests.get(0).route().heloName()).isEqualTo("probe.example.org");
    }
}
