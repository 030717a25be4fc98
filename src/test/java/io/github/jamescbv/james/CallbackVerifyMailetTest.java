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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The mailet with FakeMail and a fake engine: which address it calls back, and what it records. */
class CallbackVerifyMailetTest {
    static final String ATTRIBUTE = "smtp_cbv_result";
    static final Verdict PASS = Verdict.builder(Result.PASS, Stage.RCPT).code(250).domain("remote.example").build();

    final RecordingMetricFactory metrics = new RecordingMetricFactory();
    Function<EmailAddress, CompletionStage<Verdict>> engineBehaviour = FakeVerifier::passFor;
    final FakeVerifier engine = new FakeVerifier().answering(a -> engineBehaviour.apply(a));
    final List<EmailAddress> verified = engine.asked();
    final CbvRuntime runtime = new CbvRuntime(settings -> engine);

    @AfterEach
    void stopRuntime() {
        runtime.close();
    }

    /** A mailet initialised with these parameters: name, value, name, value... */
    CallbackVerifyMailet mailet(String... parameters) throws Exception {
        // A name of ours unless a test gives one: no WARN about this host's name in every test.
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("cbv").setProperty("heloName", "verifier.test");
        for (int i = 0; i < parameters.length; i += 2) {
            config.setProperty(parameters[i], parameters[i + 1]);
        }
        CallbackVerifyMailet m = new CallbackVerifyMailet(runtime, metrics);
        m.init(config.build());
        return m;
    }

    // ------------------------------------------------------------------ which address

    @Test
    void byDefaultTheEnvelopeSenderIsVerifiedAndTheVerdictBecomesTheAttribute() throws Exception {
        Mail mail = mail("alice@remote.example", "Other <other@elsewhere.example>");

        mailet().service(mail);

        assertThat(verified).extracting(EmailAddress::toString).containsExactly("alice@remote.example");
        assertThat(result(mail, ATTRIBUTE)).contains("pass");
        assertThat(detail(mail, ATTRIBUTE))
            .containsEntry("result", "pass")
            .containsEntry("stage", "rcpt")
            .containsEntry("code", "250")
            .containsEntry("cached", "false")
            .containsKeys("enhancedCode", "text", "mxHost", "ip", "domain", "elapsedMs");
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(metrics.countFor(CbvMetrics.VERIFICATIONS_PREFIX + "pass")).isEqualTo(1);
    }

    @Test
    void theAttributesAreTheHandlersAndSerializeAsJamesMailQueuesNeed() throws Exception {
        Mail mail = mail("alice@remote.example", null);

        mailet("attribute", "cbv_sender").service(mail);

        assertThat(mail.attributes()).extracting(a -> a.getName().asString())
            .containsExactlyInAnyOrder("cbv_sender", "cbv_sender.detail", "cbv_sender.summary");
        // the wait for the limits is this request's own, on the real clock: a millisecond on a busy machine
        Duration waited = Duration.ofMillis(Long.parseLong(detail(mail, "cbv_sender").get("waitMs")));
        new VerdictAttributes("cbv_sender").of(PASS.toBuilder().waited(waited).build()).forEach(expected ->
            assertThat(mail.getAttribute(expected.getName())).contains(expected));
        mail.attributes().forEach(a -> assertThat(a.getValue().toJson()).as(a.getName().asString()).isPresent());
    }

    @Test
    void aLiteralAddressIsVerifiedWhateverTheMail() throws Exception {
        Mail mail = mail("alice@remote.example", "Alice <alice@remote.example>");

        mailet("address", "postmaster@remote.example").service(mail);

        assertThat(verified).extracting(EmailAddress::toString).containsExactly("postmaster@remote.example");
        assertThat(result(mail, ATTRIBUTE)).contains("pass");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"Alice Example\" <alice@remote.example>  | alice@remote.example",
        "alice@remote.example                      | alice@remote.example",
        "alice@remote.example (Alice)              | alice@remote.example",
        "=?UTF-8?B?w4lsaXNl?= <elise@remote.example> | elise@remote.example",
        "Élise <elise@remote.example>              | elise@remote.example",
        "\"Smith, Alice\"\\r\\n <alice@remote.example> | alice@remote.example",
    })
    void headerFromVerifiesTheAddressOfTheFromHeader(String from, String expected) throws Exception {
        Mail mail = mail("bounces@list.example", unescape(from));

        mailet("address", "header:From", "attribute", "smtp_cbv_from").service(mail);

        assertThat(verified).extracting(EmailAddress::toString).containsExactly(expected);
        assertThat(result(mail, "smtp_cbv_from")).contains("pass");
        assertThat(result(mail, ATTRIBUTE)).isEmpty();
    }

    @Test
    void anotherHeaderCanBeNamed() throws Exception {
        Mail mail = mail("bounces@list.example", "Alice <alice@remote.example>");
        mail.getMessage().setHeader("Sender", "<owner@list.example>");

        mailet("address", "header:Sender").service(mail);

        assertThat(verified).extracting(EmailAddress::toString).containsExactly("owner@list.example");
    }

    // ------------------------------------------------------------------ hostile or unusable From headers

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // what the From header holds (\r, \n, \0 as written)  | the reason named in the text
        "<alice@remote.example>\\r\\nRCPT TO:<victim@target.example> | control character",
        "<alice@remote.example>\\nRCPT TO:<victim@target.example>    | control character",
        "<alice@remote.example>\\rQUIT                               | control character",
        "<alice@remote.example\\0>                                   | control character",
        "<élise@remote.example>                                      | non-ASCII character in address",
        "<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@remote.example> | local part longer than 64",
        "<alice@[192.0.2.1]>                                         | address literal",
        "alice@remote.example, bob@remote.example                    | names 2 addresses",
        "undisclosed-recipients:;                                    | group",
        "<>                                                          | From header",
        "not an address at all <                                     | cannot be parsed",
    })
    void anUnusableFromIsTransientPolicyWithItsReasonAndNoCallback(String from, String reason) throws Exception {
        Mail mail = mail("bounces@list.example", unescape(from));

        mailet("address", "header:From").service(mail);

        assertThat(verified).as("no callback").isEmpty();
        assertThat(result(mail, ATTRIBUTE)).contains("transient");
        assertThat(detail(mail, ATTRIBUTE)).containsEntry("stage", "policy");
        assertThat(detail(mail, ATTRIBUTE).get("text")).startsWith("address cannot be verified").contains(reason);
        assertThat(detail(mail, ATTRIBUTE).get("text")).doesNotContain("\r", "\n", "\0");
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
        assertThat(metrics.countFor(CbvMetrics.VERIFICATIONS_PREFIX + "transient")).isEqualTo(1);
    }

    @Test
    void anOverlongFromHeaderIsNotEvenParsed() throws Exception {
        Mail mail = mail("bounces@list.example", "\"" + "x".repeat(HeaderAddress.MAX_HEADER_LENGTH) + "\" <alice@remote.example>");

        mailet("address", "header:From").service(mail);

        assertThat(verified).isEmpty();
        assertThat(detail(mail, ATTRIBUTE).get("text")).contains("From header longer than 2048 characters");
    }

    @Test
    void aMissingOrRepeatedFromHeaderIsTransientPolicy() throws Exception {
        CallbackVerifyMailet m = mailet("address", "header:From");
        Mail missing = mail("bounces@list.example", null);
        Mail repeated = mail("bounces@list.example", "<alice@remote.example>");
        repeated.getMessage().addHeader("From", "<mallory@remote.example>");

        m.service(missing);
        m.service(repeated);

        assertThat(verified).isEmpty();
        assertThat(detail(missing, ATTRIBUTE)).containsEntry("result", "transient").containsEntry("stage", "policy")
            .containsEntry("text", "address cannot be verified: no From header");
        assertThat(detail(repeated, ATTRIBUTE).get("text")).contains("2 From headers");
    }

    // ------------------------------------------------------------------ no callback, no attribute

    @ParameterizedTest
    @ValueSource(strings = {"sender", "header:From", "postmaster@remote.example"})
    void mailWithoutSenderGetsNoCallbackAndNoAttribute(String address) throws Exception {
        Mail bounce = mail(null, "MAILER-DAEMON <mailer-daemon@remote.example>");

        mailet("address", address).service(bounce);

        assertThat(verified).isEmpty();
        assertThat(bounce.attributes()).isEmpty();
        assertThat(bounce.getState()).isEqualTo(Mail.DEFAULT);
    }

    // ------------------------------------------------------------------ waiting, failures

    @Test
    void aCallbackNotDoneWithinMaxWaitIsTransientInProgressAndGoesOnInTheBackground() throws Exception {
        CompletableFuture<Verdict> late = new CompletableFuture<>();
        engineBehaviour = a -> late;
        CallbackVerifyMailet m = mailet("maxWait", "100ms");
        Mail mail = mail("alice@remote.example", null);

        long start = System.nanoTime();
        m.service(mail);
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(tookMs).isBetween(80L, 5_000L);
        assertThat(detail(mail, ATTRIBUTE))
            .containsEntry("result", "transient")
            .containsEntry("stage", "policy")
            .containsEntry("text", "verification still in progress")
            .containsEntry("domain", "remote.example");

        // The callback finishes later and fills the shared cache: the next mail needs no wait.
        late.complete(PASS);
        Mail next = mail("alice@remote.example", null);
        m.service(next);
        assertThat(detail(next, ATTRIBUTE)).containsEntry("result", "pass").containsEntry("cached", "true");
        assertThat(verified).hasSize(1);
    }

    @Test
    void maxWaitZeroRecordsOnlyWhatIsKnownAtOnce() throws Exception {
        CompletableFuture<Verdict> pending = new CompletableFuture<>();
        engineBehaviour = a -> pending;
        CallbackVerifyMailet m = mailet("maxWait", "0s");
        Mail first = mail("alice@remote.example", null);

        m.service(first);
        pending.complete(PASS);
        Mail second = mail("alice@remote.example", null);
        m.service(second);

        assertThat(detail(first, ATTRIBUTE)).containsEntry("text", "verification still in progress");
        assertThat(detail(second, ATTRIBUTE)).containsEntry("result", "pass").containsEntry("cached", "true");
    }

    @Test
    void anEngineThatThrowsGivesTransientInternalAndTheMailGoesOn() throws Exception {
        engineBehaviour = a -> {
            throw new IllegalStateException("boom");
        };
        Mail mail = mail("alice@remote.example", null);

        mailet().service(mail);

        assertThat(detail(mail, ATTRIBUTE)).containsEntry("result", "transient").containsEntry("stage", "internal");
        assertThat(detail(mail, ATTRIBUTE).get("text")).contains("boom");
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
    }

    @Test
    void aMailWhoseMessageCannotBeReadGivesTransientInternal() throws Exception {
        Mail mail = FakeMail.builder().name("no-message").sender("alice@remote.example").state(Mail.DEFAULT).build();

        mailet("address", "header:From").service(mail);

        assertThat(verified).isEmpty();
        assertThat(detail(mail, ATTRIBUTE)).containsEntry("result", "transient").containsEntry("stage", "internal");
        assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
    }

    // ------------------------------------------------------------------ shared with the handler

    @Test
    void theCacheIsSharedWithTheHandlerWhicheverStartsFirst() throws Exception {
        // James 3.8.1 starts the mailet container before the SMTP servers: the mailet joins first.
        CallbackVerifyMailet m = mailet();
        CallbackVerifyHandler h = handler(CacheSettings.DEFAULTS, LimitSettings.DEFAULTS);

        // A verdict found by the handler is a cache hit for the mailet...
        FakeSession session = new FakeSession();
        h.doMail(session, MaybeSender.of(CallbackVerifyHandlerTest.address("alice@remote.example")));
        h.onMessage(session, CallbackVerifyHandlerTest.mail());
        Mail mail = mail("alice@remote.example", null);
        m.service(mail);

        // ... and one found by the mailet is a cache hit for the handler.
        m.service(mail("carol@remote.example", null));
        FakeSession second = new FakeSession();
        h.doMail(second, MaybeSender.of(CallbackVerifyHandlerTest.address("carol@remote.example")));
        Mail handlerMail = CallbackVerifyHandlerTest.mail();
        h.onMessage(second, handlerMail);

        assertThat(detail(mail, ATTRIBUTE)).containsEntry("result", "pass").containsEntry("cached", "true");
        assertThat(CallbackVerifyHandlerTest.detail(handlerMail)).containsEntry("cached", "true");
        assertThat(verified).extracting(EmailAddress::toString).containsExactly("alice@remote.example", "carol@remote.example");
    }

    @Test
    void theLimitsAreTheHandlersAndTheMailsClientIsCharged() throws Exception {
        CallbackVerifyMailet m = mailet();
        handler(CacheSettings.DEFAULTS, new LimitSettings(64, 1000, 2, 30, 1));

        Mail first = mail("alice@remote.example", null, "192.0.2.7");
        Mail second = mail("bob@remote.example", null, "192.0.2.7");
        Mail otherClient = mail("carol@remote.example", null, "2001:db8::7");
        m.service(first);
        m.service(second);
        m.service(otherClient);

        assertThat(result(first, ATTRIBUTE)).contains("pass");
        assertThat(detail(second, ATTRIBUTE)).containsEntry("result", "transient").containsEntry("stage", "policy");
        assertThat(detail(second, ATTRIBUTE).get("text")).contains("192.0.2.7");
        assertThat(result(otherClient, ATTRIBUTE)).contains("pass");
        assertThat(verified).extracting(EmailAddress::toString).containsExactly("alice@remote.example", "carol@remote.example");
    }

    // ------------------------------------------------------------------ helpers

    /** A handler sharing {@link #runtime}, configured with these cache and limit settings. */
    CallbackVerifyHandler handler(CacheSettings cache, LimitSettings limits) throws Exception {
        CallbackVerifyHandler h = new CallbackVerifyHandler(new CallbackVerifyHandlerTest.FakeDomains(false), metrics,
            runtime);
        h.init(new HandlerConfig(Phase.MAILFROM, ATTRIBUTE, Duration.ofSeconds(1), false, VerifierSettings.builder().build(),
            cache, limits, Exemptions.NONE), ChannelAccess.unavailable("unit test"));
        return h;
    }

    /** A mail with this envelope sender (null: none) and this From header (null: none). */
    static Mail mail(String sender, String fromHeader) throws Exception {
        return mail(sender, fromHeader, FakeMail.DEFAULT_REMOTE_ADDRESS);
    }

    static Mail mail(String sender, String fromHeader, String remoteAddr) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        if (fromHeader != null) {
            message.addHeader("From", fromHeader);
        }
        message.setSubject("test");
        message.setText("body");
        FakeMail.Builder b = FakeMail.builder().name("mail-" + System.nanoTime()).mimeMessage(message)
            .recipient("bob@local.test").state(Mail.DEFAULT).remoteAddr(remoteAddr);
        if (sender != null) {
            b.sender(sender);
        }
        return b.build();
    }

    /** \\r, \\n and \\0 as written in a CSV source, made CR, LF and NUL. */
    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\0");
    }

    static Optional<String> result(Mail mail, String attribute) {
        return mail.getAttribute(AttributeName.of(attribute)).map(a -> (String) a.getValue().getValue());
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> detail(Mail mail, String attribute) {
        Map<String, AttributeValue<?>> m = (Map<String, AttributeValue<?>>) mail
            .getAttribute(AttributeName.of(attribute + VerdictAttributes.DETAIL_SUFFIX)).orElseThrow().getValue().getValue();
        Map<String, String> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, (String) v.getValue()));
        return out;
    }
}
