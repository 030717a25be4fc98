package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.Exemptions;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.verify.VerifierSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.core.AbstractHookableCmdHandler;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hooks without a server: what they decide, and that nothing of ours escapes into James. */
class CallbackVerifyHandlerTest {
    static final MailAddress LOCAL = address("bob@local.test");
    static final MailAddress FOREIGN = address("someone@elsewhere.example");
    static final Verdict PASS = Verdict.builder(Result.PASS, Stage.RCPT).code(250).domain("remote.example").build();

    final RecordingMetricFactory metrics = new RecordingMetricFactory();
    Function<EmailAddress, CompletionStage<Verdict>> engineBehaviour = a -> CompletableFuture.completedFuture(PASS);
    final FakeVerifier engine = new FakeVerifier().answering(a -> engineBehaviour.apply(a));
    final List<EmailAddress> verified = engine.asked();
    DomainList domains = new FakeDomains(false);

    /** A handler whose engine records each address and answers with {@link #engineBehaviour}. */
    final CbvRuntime runtime = new CbvRuntime(settings -> engine);

    @AfterEach
    void stopRuntime() {
        runtime.close();
    }

    CallbackVerifyHandler newHandler() {
        return new CallbackVerifyHandler(domains, metrics, runtime);
    }

    CallbackVerifyHandler handler(Phase phase, boolean verifyAuthenticated, Duration maxWait, ChannelAccess access) throws Exception {
        CallbackVerifyHandler h = newHandler();
        h.init(new HandlerConfig(phase, "smtp_cbv_result", maxWait, verifyAuthenticated, engineSettings()), access);
        return h;
    }

    /** The engine's defaults but for a HELO name of ours: no WARN about this host's name in every test. */
    private static VerifierSettings engineSettings() {
        return VerifierSettings.builder().heloName("verifier.test").build();
    }

    /** A handler that enforces at RCPT TO; the channel is out of reach, as in a unit test it is. */
    CallbackVerifyHandler enforcing(Phase phase, EnforcementAction action, Duration rcptMaxWait) throws Exception {
        CallbackVerifyHandler h = newHandler();
        h.init(new HandlerConfig(phase, "smtp_cbv_result", Duration.ofSeconds(1), false, engineSettings(),
            CacheSettings.DEFAULTS, LimitSettings.DEFAULTS, Exemptions.NONE,
            new EnforcementSettings(action, rcptMaxWait, Optional.empty(), false)), ChannelAccess.unavailable("unit test"));
        return h;
    }

    CallbackVerifyHandler handler(Phase phase) throws Exception {
        return handler(phase, false, Duration.ofSeconds(1), ChannelAccess.unavailable("unit test"));
    }

    @Test
    void mailFromStartsTheCallbackAndTheVerdictBecomesTheAttribute() throws Exception {
        CallbackVerifyHandler h = handler(Phase.MAILFROM);
        FakeSession session = new FakeSession();

        assertThat(h.doMail(session, sender("alice@remote.example"))).isEqualTo(HookResult.DECLINED);
        Mail mail = mail();
        assertThat(h.onMessage(session, mail)).isEqualTo(HookResult.DECLINED);

        assertThat(verified).extracting(EmailAddress::toString).containsExactly("alice@remote.example");
        assertThat(result(mail)).contains("pass");
        assertThat(detail(mail)).containsEntry("stage", "rcpt").containsEntry("code", "250");
        assertThat(metrics.countFor(CbvMetrics.VERIFICATIONS_PREFIX + "pass")).isEqualTo(1);
        assertThat(metrics.countFor(CbvMetrics.IN_FLIGHT)).isZero();
    }

    @Test
    void theMapIsAppliedOnceAndTheEngineGetsTheRoutedTargetWithTheAddressAsked() throws Exception {
        CallbackVerifyHandler h = newHandler();
        h.init(HandlerConfigTest.parse("<phase>mailfrom</phase>"
            + "<map><entry from=\"alias.example\" to=\"remote.example\"/></map>"), ChannelAccess.unavailable("unit test"));

        h.doMail(new FakeSession(), sender("x@alias.example"));

        assertThat(engine.targets()).singleElement().satisfies(t -> {
            assertThat(t.recipient()).hasToString("x@remote.example");
            assertThat(t.original()).hasToString("x@alias.example");
            assertThat(t.domain()).isEqualTo("remote.example");
        });
    }

    @Test
    void theAttributesSerializeAsJamesMailQueuesNeed() throws Exception {
        CallbackVerifyHandler h = handler(Phase.MAILFROM);
        FakeSession session = new FakeSession();
        h.doMail(session, sender("alice@remote.example"));
        Mail mail = mail();
        h.onMessage(session, mail);

        mail.attributes().forEach(a -> assertThat(a.getValue().toJson()).as(a.getName().asString()).isPresent());
        AttributeValue<?> detail = mail.getAttribute(AttributeName.of("smtp_cbv_result.detail")).orElseThrow().getValue();
        assertThat(AttributeValue.fromJson(detail.toJson().orElseThrow())).isEqualTo(detail);
    }

    @Test
    void noCallbackAndNoAttributeForTheNullSenderAuthenticatedAndTrustedClients() throws Exception {
        CallbackVerifyHandler h = handler(Phase.MAILFROM);
        for (FakeSession session : List.of(new FakeSession(), new FakeSession().authenticatedAs("bob@local.test"),
            new FakeSession().relayingAllowed())) {
            MaybeSender sender = session.getUsername() == null && !session.isRelayingAllowed()
                ? MaybeSender.nullSender() : sender("alice@remote.example");
            assertThat(h.doMail(session, sender)).isEqualTo(HookResult.DECLINED);
            Mail mail = mail();
            h.onMessage(session, mail);
            assertThat(result(mail)).isEmpty();
        }
        assertThat(verified).isEmpty();
    }

    @Test
    void verifyAuthenticatedVerifiesAuthenticatedSenders() throws Exception {
        CallbackVerifyHandler h = handler(Phase.MAILFROM, true, Duration.ofSeconds(1), ChannelAccess.unavailable("unit test"));
        FakeSession session = new FakeSession().authenticatedAs("bob@local.test");

        h.doMail(session, sender("alice@remote.example"));

        assertThat(verified).hasSize(1);
    }

    @Test
    void rcptPhaseStartsOnceAtTheFirstLocalRecipientOnly() throws Exception {
        domains = new FakeDomains(false);
        CallbackVerifyHandler h = handler(Phase.RCPTTO);
        FakeSession session = new FakeSession();
        MaybeSender sender = sender("alice@remote.example");

        h.doMail(session, sender);
        h.doRcpt(session, sender, FOREIGN, Map.of());
        assertThat(verified).as("nothing at MAIL FROM nor for a relay attempt").isEmpty();

        h.doRcpt(session, sender, LOCAL, Map.of());
        h.doRcpt(session, sender, address("carol@local.test"), Map.of());
        assertThat(verified).hasSize(1);

        session.resetState(); // RSET
        h.doRcpt(session, sender("bob@remote.example"), LOCAL, Map.of());
        assertThat(verified).as("a new transaction, a new callback").hasSize(2);
    }

    @Test
    void mailFromPhaseIgnoresRecipientsAndRcptPhaseIgnoresMailFrom() throws Exception {
        CallbackVerifyHandler mailFrom = handler(Phase.MAILFROM);
        mailFrom.doRcpt(new FakeSession(), sender("alice@remote.example"), LOCAL, Map.of());
        CallbackVerifyHandler rcptTo = handler(Phase.RCPTTO);
        rcptTo.doMail(new FakeSession(), sender("alice@remote.example"));

        assertThat(verified).isEmpty();
    }

    @Test
    void anEngineThatThrowsGivesTransientNotAnException() throws Exception {
        engineBehaviour = a -> {
            throw new IllegalStateException("boom");
        };
        CallbackVerifyHandler h = handler(Phase.MAILFROM);
        FakeSession session = new FakeSession();

        assertThat(h.doMail(session, sender("alice@remote.example"))).isEqualTo(HookResult.DECLINED);
        Mail mail = mail();
        assertThat(h.onMessage(session, mail)).isEqualTo(HookResult.DECLINED);

        assertThat(result(mail)).contains("transient");
        assertThat(detail(mail)).containsEntry("stage", "internal");
        assertThat(detail(mail).get("text")).contains("boom");
    }

    @Test
    void anEngineStageThatFailsGivesTransient() throws Exception {
        engineBehaviour = a -> CompletableFuture.failedFuture(new IllegalStateException("broken"));
        CallbackVerifyHandler h = handler(Phase.MAILFROM);
        FakeSession session = new FakeSession();

        h.doMail(session, sender("alice@remote.example"));
        Mail mail = mail();
        h.onMessage(session, mail);

        assertThat(result(mail)).contains("transient");
        assertThat(detail(mail)).containsEntry("stage", "internal");
    }

    @Test
    void aDomainListFailureGivesTransientNotAnException() throws Exception {
        domains = new FakeDomains(true);
        CallbackVerifyHandler h = handler(Phase.RCPTTO);
        FakeSession session = new FakeSession();
        MaybeSender sender = sender("alice@remote.example");

        assertThat(h.doRcpt(session, sender, LOCAL, Map.of())).isEqualTo(HookResult.DECLINED);
        Mail mail = mail();
        h.onMessage(session, mail);

        assertThat(verified).isEmpty();
        assertThat(result(mail)).contains("transient");
        assertThat(detail(mail)).containsEntry("stage", "internal");
    }

    @Test
    void addressLiteralsAreNotProbed() throws Exception {
        CallbackVerifyHandler h = handler(Phase.MAILFROM);
        FakeSession session = new FakeSession();

        h.doMail(session, sender("alice@[192.0.2.1]"));
        Mail mail = mail();
        h.onMessage(session, mail);

        assertThat(verified).isEmpty();
        assertThat(result(mail)).contains("transient");
        assertThat(detail(mail)).containsEntry("stage", "policy");
        assertThat(detail(mail).get("text")).contains("192.0.2.1");
    }

    @Test
    void anUnfinishedVerdictAtTheEndOfDataIsTransientInProgress() throws Exception {
        engineBehaviour = a -> new CompletableFuture<>();
        CallbackVerifyHandler h = handler(Phase.MAILFROM);
        FakeSession session = new FakeSession();

        h.doMail(session, sender("alice@remote.example"));
        Mail mail = mail();
        h.onMessage(session, mail);

        assertThat(result(mail)).contains("transient");
        assertThat(detail(mail))
            .containsEntry("stage", "policy")
            .containsEntry("text", "verification still in progress")
            .containsEntry("domain", "remote.example");
        assertThat(metrics.countFor(CbvMetrics.IN_FLIGHT)).isEqualTo(1);
    }

    @Test
    void withoutTheChannelTheFinalDotWaitsBrieflyThenGoesOn() throws Exception {
        engineBehaviour = a -> new CompletableFuture<>();
        CallbackVerifyHandler h = handler(Phase.MAILFROM, false, Duration.ofMillis(200), ChannelAccess.unavailable("unit test"));
        FakeSession session = new FakeSession();
        h.doMail(session, sender("alice@remote.example"));
        List<String> passedOn = new ArrayList<>();
        Response ok = new SMTPResponse("250", "ok");

        long start = System.nanoTime();
        Response r = h.onLine(session, ".\r\n".getBytes(StandardCharsets.US_ASCII), (s, line) -> {
            passedOn.add(new String(line, StandardCharsets.US_ASCII));
            return ok;
        });
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(r).isSameAs(ok);
        assertThat(passedOn).containsExactly(".\r\n");
        assertThat(tookMs).isBetween(150L, 1_900L);
        assertThat(metrics.countFor(CbvMetrics.BLOCKING_WAITS)).isEqualTo(1);
    }

    @Test
    void dataLinesPassStraightThrough() throws Exception {
        CallbackVerifyHandler h = handler(Phase.MAILFROM);
        FakeSession session = new FakeSession();
        List<String> passedOn = new ArrayList<>();

        Response r = h.onLine(session, "Subject: hi\r\n".getBytes(StandardCharsets.US_ASCII), (s, line) -> {
            passedOn.add(new String(line, StandardCharsets.US_ASCII));
            return null;
        });

        assertThat(r).isNull();
        assertThat(passedOn).containsExactly("Subject: hi\r\n");
    }

    @Test
    void theChannelOfJames381IsReachable() {
        ChannelAccess access = ChannelAccess.detect();

        assertThat(access.available()).as(access.unavailableReason()).isTrue();
    }

    // ------------------------------------------------------------------ enforcement at RCPT TO

    static final Verdict ERROR = Verdict.builder(Result.ERROR, Stage.RCPT).code(550).enhancedCode("5.1.1")
        .text("User unknown").domain("remote.example").build();
    static final Verdict GREYLISTED = Verdict.builder(Result.TRANSIENT, Stage.RCPT).code(450).enhancedCode("4.2.0")
        .text("Greylisted").domain("remote.example").build();

    @Test
    void rejectRefusesEveryLocalRecipientOfAnErrorSenderWithTheSameAnswer() throws Exception {
        engineBehaviour = a -> CompletableFuture.completedFuture(ERROR);
        CallbackVerifyHandler h = enforcing(Phase.MAILFROM, EnforcementAction.REJECT, Duration.ofSeconds(10));
        FakeSession session = new FakeSession();
        MaybeSender sender = sender("alice@remote.example");
        h.doMail(session, sender);

        HookResult first = h.doRcpt(session, sender, LOCAL, Map.of());
        HookResult second = h.doRcpt(session, sender, address("carol@local.test"), Map.of());

        assertThat(reply(first)).isEqualTo("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1 User unknown");
        assertThat(second).isEqualTo(first);
        assertThat(metrics.countFor(CbvMetrics.RCPT_REJECTED)).as("counted once per transaction").isEqualTo(1);
        assertThat(h.doRcpt(session, sender, FOREIGN, Map.of())).as("relaying is James's business").isEqualTo(HookResult.DECLINED);
        assertThat(h.doRcpt(session, sender, address("Postmaster@local.test"), Map.of())).isEqualTo(HookResult.DECLINED);
        assertThat(h.doRcpt(session, sender, address("abuse@local.test"), Map.of())).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void deferAnswers450ForTransientInPhaseRcptto() throws Exception {
        engineBehaviour = a -> CompletableFuture.completedFuture(GREYLISTED);
        CallbackVerifyHandler h = enforcing(Phase.RCPTTO, EnforcementAction.DEFER, Duration.ofSeconds(10));
        FakeSession session = new FakeSession();
        MaybeSender sender = sender("alice@remote.example");

        assertThat(reply(h.doRcpt(session, sender, LOCAL, Map.of())))
            .isEqualTo("450 4.1.7 Sender address rejected: callback at RCPT TO: 450 4.2.0 Greylisted");
        assertThat(verified).hasSize(1);
        assertThat(metrics.countFor(CbvMetrics.RCPT_DEFERRED)).isEqualTo(1);
    }

    @Test
    void aNewTransactionIsDecidedAfresh() throws Exception {
        engineBehaviour = a -> CompletableFuture.completedFuture(a.toString().startsWith("bad") ? ERROR : PASS);
        CallbackVerifyHandler h = enforcing(Phase.MAILFROM, EnforcementAction.REJECT, Duration.ofSeconds(10));
        FakeSession session = new FakeSession();
        h.doMail(session, sender("bad@remote.example"));
        assertThat(h.doRcpt(session, sender("bad@remote.example"), LOCAL, Map.of()).getResult().getAction())
            .isEqualTo(HookReturnCode.Action.DENY);

        session.resetState(); // RSET
        h.doMail(session, sender("good@remote.example"));

        assertThat(h.doRcpt(session, sender("good@remote.example"), LOCAL, Map.of())).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void withoutTheChannelTheRcptWaitsBrieflyThenRejectLetsItThroughAndDeferAnswersInProgress() throws Exception {
        engineBehaviour = a -> new CompletableFuture<>();
        for (EnforcementAction action : List.of(EnforcementAction.REJECT, EnforcementAction.DEFER)) {
            CallbackVerifyHandler h = enforcing(Phase.MAILFROM, action, Duration.ofMillis(200));
            FakeSession session = new FakeSession();
            MaybeSender sender = sender("alice@remote.example");
            h.doMail(session, sender);

            long start = System.nanoTime();
            HookResult first = h.doRcpt(session, sender, LOCAL, Map.of());
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            start = System.nanoTime();
            HookResult second = h.doRcpt(session, sender, address("carol@local.test"), Map.of());
            long secondMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(tookMs).as(action + ": one bounded wait").isBetween(150L, 1_900L);
            assertThat(secondMs).as(action + ": no second wait").isLessThan(150L);
            assertThat(second).isEqualTo(first);
            if (action == EnforcementAction.REJECT) {
                assertThat(first).isEqualTo(HookResult.DECLINED);
            } else {
                assertThat(reply(first)).isEqualTo("450 4.7.1 Sender address verification in progress, try again later");
            }
        }
        assertThat(metrics.countFor(CbvMetrics.BLOCKING_WAITS)).isEqualTo(2);
    }

    @Test
    void warnRefusesNothingAndCountsWhatRejectWouldHaveRefused() throws Exception {
        CompletableFuture<Verdict> later = new CompletableFuture<>();
        engineBehaviour = a -> later;
        CallbackVerifyHandler h = enforcing(Phase.MAILFROM, EnforcementAction.WARN, Duration.ofSeconds(10));
        FakeSession session = new FakeSession();
        MaybeSender sender = sender("alice@remote.example");
        h.doMail(session, sender);

        long start = System.nanoTime();
        assertThat(h.doRcpt(session, sender, LOCAL, Map.of())).isEqualTo(HookResult.DECLINED);
        assertThat((System.nanoTime() - start) / 1_000_000).as("no wait").isLessThan(150L);
        assertThat(h.doRcpt(session, sender, address("carol@local.test"), Map.of())).isEqualTo(HookResult.DECLINED);
        assertThat(metrics.countFor(CbvMetrics.RCPT_WOULD_REJECT)).isZero();

        later.complete(ERROR);

        assertThat(metrics.countFor(CbvMetrics.RCPT_WOULD_REJECT)).as("once per transaction").isEqualTo(1);
        assertThat(metrics.countFor(CbvMetrics.RCPT_REJECTED)).isZero();
    }

    @Test
    void recordRefusesNothing() throws Exception {
        engineBehaviour = a -> CompletableFuture.completedFuture(ERROR);
        CallbackVerifyHandler h = enforcing(Phase.MAILFROM, EnforcementAction.RECORD, Duration.ofSeconds(10));
        FakeSession session = new FakeSession();
        MaybeSender sender = sender("alice@remote.example");
        h.doMail(session, sender);

        assertThat(h.doRcpt(session, sender, LOCAL, Map.of())).isEqualTo(HookResult.DECLINED);
    }

    @Test
    void theRcptCommandHandlerAndTheResultHandlerStayOutOfJamesWayWhenNothingIsHeld() throws Exception {
        CallbackVerifyHandler h = enforcing(Phase.MAILFROM, EnforcementAction.REJECT, Duration.ofSeconds(10));
        FakeSession session = new FakeSession();
        Response ok = new SMTPResponse("250", "2.1.5 ok");

        assertThat(h.getImplCommands()).containsExactly("RCPT");
        assertThat(h.onCommand(session, new BaseRequest("RCPT", "TO:<bob@local.test> NOTIFY=NEVER"))).isNull();
        assertThat(session.getAttachment(RcptReplyGate.COMMAND_LINE, ProtocolSession.State.Connection))
            .contains("RCPT TO:<bob@local.test> NOTIFY=NEVER\r\n");
        assertThat(h.onResponse(session, ok, 1, null)).isSameAs(ok);
        assertThat(h.onResponse(session, null, 1, null)).isNull();
    }

    // ------------------------------------------------------------------ helpers

    /** The reply line James writes for a hook result. */
    static String reply(HookResult r) {
        return String.join("\r\n", AbstractHookableCmdHandler.calcDefaultSMTPResponse(r).getLines().stream()
            .map(CharSequence::toString).toArray(String[]::new));
    }

    static MaybeSender sender(String address) {
        return MaybeSender.of(address(address));
    }

    static MailAddress address(String address) {
        try {
            return new MailAddress(address);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Mail mail() throws Exception {
        return MailImpl.builder().name("mail").addRecipient(LOCAL).build();
    }

    static Optional<String> result(Mail mail) {
        return mail.getAttribute(AttributeName.of("smtp_cbv_result")).map(a -> (String) a.getValue().getValue());
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> detail(Mail mail) {
        Map<String, AttributeValue<?>> m = (Map<String, AttributeValue<?>>) mail
            .getAttribute(AttributeName.of("smtp_cbv_result.detail")).orElseThrow().getValue().getValue();
        Map<String, String> out = new java.util.HashMap<>();
        m.forEach((k, v) -> out.put(k, (String) v.getValue()));
        return out;
    }

    /** local.test is local; with {@code failing}, every lookup fails as a broken backend would. */
    static final class FakeDomains implements DomainList {
        private final boolean failing;

        FakeDomains(boolean failing) {
            this.failing = failing;
        }

        @Override
        public List<Domain> getDomains() {
            return List.of(Domain.of("local.test"));
        }

        @Override
        public boolean containsDomain(Domain domain) throws DomainListException {
            if (failing) {
                throw new DomainListException("backend down");
            }
            return domain.equals(Domain.of("local.test"));
        }

        @Override
        public void addDomain(Domain domain) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void removeDomain(Domain domain) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Domain getDefaultDomain() {
            return Domain.of("local.test");
        }
    }
}
