package io.github.jamescbv.verify;

import static io.github.jamescbv.verify.FakeProbeClient.followUpReply;
import static io.github.jamescbv.verify.FakeProbeClient.reply;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DaemonScheduler;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.smtp.FollowUpReply;
import io.github.jamescbv.smtp.ProbeRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The catch-all and postmaster checks in the engine, with a table resolver and a table probe client. */
class CallbackVerifierChecksTest {
    /** The safety nets\' timer, as the engine resources share one; a daemon thread. */
    private static final DaemonScheduler TIMER = new DaemonScheduler("cbv-timer");

    private final FakeMxResolver dns = new FakeMxResolver();
    private final FakeProbeClient smtp = new FakeProbeClient();

    @BeforeEach
    void oneMx() {
        dns.found("example.com", "mx1.example.com=8.8.8.1");
        smtp.on("8.8.8.1", reply(Stage.RCPT, 250, "2.1.5", "Ok"));
    }

    private Verdict verify(String address, DomainMap map, VerifierSettings.Builder settings, DomainFacts known)
            throws Exception {
        CallbackVerifier v = new CallbackVerifier(settings.heloName("probe.example.org").build(), dns, smtp,
            new TargetAddressGuard(false, List.of()), Ticker.SYSTEM, TIMER, List.of());
        return v.verify(Routed.target(map, address), DialogListener.NONE, known)
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Verdict verify(String address, VerifierSettings.Builder settings, DomainFacts known) throws Exception {
        return verify(address, DomainMap.EMPTY, settings, known);
    }

    private Verdict verify(String address, VerifierSettings.Builder settings) throws Exception {
        return verify(address, settings, DomainFacts.NONE);
    }

    private static VerifierSettings.Builder both() {
        return VerifierSettings.builder().randomCheck(true).postmasterCheck(true);
    }

    private List<String> followUpsAsked() {
        ProbeRequest last = smtp.requests.get(smtp.requests.size() - 1);
        return last.query().followUps().stream().map(Object::toString).collect(Collectors.toList());
    }

    /** Every follow-up answered {@code code}. */
    private void followUpsAnswer(int code, String text) {
        smtp.followUps(r -> followUpReply(r, code, "", text));
    }

    @Test
    void checksAreOffByDefaultAndTheDetailKeepsItsKeys() throws Exception {
        Verdict v = verify("alice@example.com", VerifierSettings.builder());

        assertThat(followUpsAsked()).isEmpty();
        assertThat(v.acceptAll()).isEmpty();
        assertThat(v.postmasterRejected()).isEmpty();
        assertThat(v.detail()).containsOnlyKeys("result", "stage", "code", "enhancedCode", "text", "mxHost", "ip",
            "tls", "domain", "elapsedMs", "waitMs", "cached");
        assertThat(v.toString()).doesNotContain("acceptAll").doesNotContain("postmaster");
    }

    @Test
    void theRandomAddressIsAskedAfterThePassAndOnlyThen() throws Exception {
        followUpsAnswer(250, "Ok");

        Verdict v = verify("alice@example.com", both());

        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(followUpsAsked()).hasSize(2);
        assertThat(followUpsAsked().get(0)).matches("cbv-[a-z2-7]{16}@example\\.com");
        assertThat(followUpsAsked().get(1)).isEqualTo("postmaster@example.com");
        String firstRandom = followUpsAsked().get(0);
        verify("alice@example.com", both());
        assertThat(followUpsAsked().get(0)).as("a new random local part each time").isNotEqualTo(firstRandom);
    }

    @Test
    void aRandomAddressAcceptedTooMeansTheDomainAcceptsAll() throws Exception {
        followUpsAnswer(250, "Ok");

        Verdict v = verify("alice@example.com", VerifierSettings.builder().randomCheck(true));

        assertThat(v.result()).as("still the seed's meaning").isEqualTo(Result.PASS);
        assertThat(v.code()).isEqualTo(250);
        assertThat(v.acceptsAll()).isTrue();
        assertThat(v.acceptAll()).get().extracting(Fact::remembered).isEqualTo(false);
        assertThat(v.detail()).containsEntry("acceptAll", "true").doesNotContainKey("postmasterRejected");
        assertThat(v.detail().get("acceptAllText")).matches("cbv-[a-z2-7]{16}@example\\.com answered 250 Ok");
        assertThat(v.toString()).contains(" acceptAll=true");
    }

    @Test
    void aRandomAddressRejectedMeansTheDomainChecksItsRecipients() throws Exception {
        smtp.followUps(r -> followUpReply(r, 550, "5.1.1", "no such user"));

        Verdict v = verify("alice@example.com", VerifierSettings.builder().randomCheck(true));

        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.acceptsAll()).isFalse();
        assertThat(v.detail()).containsEntry("acceptAll", "false");
    }

    @Test
    void aTransientOrMissingAnswerLeavesTheFactsUnknownAndThePassAsItIs() throws Exception {
        smtp.followUps(r -> r.localPart().equals("postmaster")
            ? FollowUpReply.unanswered(r, "no reply within 30s")
            : followUpReply(r, 450, "4.7.1", "try again later"));

        Verdict v = verify("alice@example.com", both());

        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.stage()).isEqualTo(Stage.RCPT);
        assertThat(v.detail()).containsEntry("acceptAll", "unknown").containsEntry("postmasterRejected", "unknown")
            .containsEntry("postmasterRejectedText", "postmaster@example.com: no reply within 30s");
        assertThat(v.detail().get("acceptAllText")).endsWith("answered 450 4.7.1 try again later");
    }

    @Test
    void aRejectedPostmasterIsReported() throws Exception {
        smtp.followUps(r -> followUpReply(r, 550, "5.1.1", "unknown user"));

        Verdict v = verify("alice@example.com", VerifierSettings.builder().postmasterCheck(true));

        assertThat(followUpsAsked()).containsExactly("postmaster@example.com");
        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.postmasterRejected()).get().extracting(Fact::value).isEqualTo(Fact.Value.TRUE);
        assertThat(v.detail()).containsEntry("postmasterRejected", "true")
            .containsEntry("postmasterRejectedText", "postmaster@example.com answered 550 5.1.1 unknown user")
            .doesNotContainKey("acceptAll");
    }

    @Test
    void anAcceptedPostmasterIsNotRejected() throws Exception {
        followUpsAnswer(250, "Ok");

        Verdict v = verify("alice@example.com", VerifierSettings.builder().postmasterCheck(true));

        assertThat(v.detail()).containsEntry("postmasterRejected", "false");
    }

    @Test
    void verifyingThePostmasterItselfAnswersThePostmasterCheck() throws Exception {
        followUpsAnswer(250, "Ok");

        Verdict v = verify("PostMaster@example.com", both());

        assertThat(followUpsAsked()).hasSize(1).allMatch(a -> a.startsWith("cbv-"));
        assertThat(v.detail()).containsEntry("postmasterRejected", "false");
    }

    @Test
    void aRejectedAddressGetsNoFacts() throws Exception {
        smtp.on("8.8.8.1", reply(Stage.RCPT, 550, "5.1.1", "no such user"));
        followUpsAnswer(250, "Ok");

        Verdict v = verify("bob@example.com", both());

        assertThat(v.result()).isEqualTo(Result.ERROR);
        assertThat(v.acceptAll()).isEmpty();
        assertThat(v.postmasterRejected()).isEmpty();
        assertThat(v.detail()).doesNotContainKeys("acceptAll", "postmasterRejected");
    }

    @Test
    void aDomainKnownToAcceptAllIsNotAskedARandomAddressAgain() throws Exception {
        followUpsAnswer(550, "unknown");
        List<String> dialog = new CopyOnWriteArrayList<>();
        CallbackVerifier engine = new CallbackVerifier(both().heloName("probe.example.org").build(), dns, smtp,
            new TargetAddressGuard(false, List.of()), Ticker.SYSTEM, TIMER, List.of());

        Verdict v = engine.verify(Routed.target("carol@example.com"), dialog::add, DomainFacts.ACCEPTS_ALL)
            .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(followUpsAsked()).containsExactly("postmaster@example.com");
        assertThat(v.acceptsAll()).isTrue();
        assertThat(v.acceptAll()).get().extracting(Fact::remembered).isEqualTo(true);
        assertThat(v.detail()).containsEntry("acceptAll", "true").containsEntry("postmasterRejected", "true");
        assertThat(dialog).contains("random check skipped: example.com is known to accept every address");
    }

    @Test
    void theKnowledgeIsIgnoredWhenTheRandomCheckIsOff() throws Exception {
        Verdict v = verify("carol@example.com", VerifierSettings.builder(), DomainFacts.ACCEPTS_ALL);

        assertThat(v.acceptAll()).isEmpty();
        assertThat(followUpsAsked()).isEmpty();
    }

    @Test
    void theChecksGoToTheDomainCalledBack() throws Exception {
        dns.found("yahoo.com", "mx.yahoo.com=8.8.8.1");
        followUpsAnswer(250, "Ok");

        verify("joe@yahoo.net", DomainMap.builder().add("yahoo.net", "yahoo.com").build(), both(), DomainFacts.NONE);

        assertThat(followUpsAsked()).allMatch(a -> a.endsWith("@yahoo.com"));
    }

    @Test
    void followUpsThatNeverEndStillGiveThePassAtTheTotalTimeout() throws Exception {
        smtp.followUpsNeverEnd();

        Verdict v = verify("alice@example.com", both().totalTimeout(Duration.ofMillis(300)));

        assertThat(v.result()).isEqualTo(Result.PASS);
        assertThat(v.code()).isEqualTo(250);
        assertThat(v.mxHost()).isEqualTo("mx1.example.com");
        assertThat(v.detail()).containsEntry("acceptAll", "unknown").containsEntry("postmasterRejected", "unknown");
        assertThat(v.detail().get("acceptAllText")).endsWith(": total timeout 300ms reached");
    }

    @Test
    void theFactsTakePartInEquality() {
        Verdict plain = Verdict.builder(Result.PASS, Stage.RCPT).code(250).build();
        Verdict all = plain.toBuilder().acceptAll(Fact.of(true, "x")).build();

        assertThat(all).isNotEqualTo(plain);
        assertThat(all.toBuilder().build()).isEqualTo(all).hasSameHashCodeAs(all);
        assertThat(all.toBuilder().postmasterRejected(Fact.unknown("y")).build().toString())
            .contains("acceptAll=true postmasterRejected=unknown");
    }
}
