package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.protocols.smtp.core.AbstractHookableCmdHandler;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The decision alone: verdict x action x rejectOnPolicyError -> the reply the client sees. */
class EnforcementRulesTest {
    static final String USER_UNKNOWN = "<a@remote.example>: Recipient address rejected: User unknown";

    @ParameterizedTest(name = "{0} at {1} ({2} {3}), action {4}, rejectOnPolicyError {5} -> {6}")
    @CsvSource(delimiter = '|', value = {
        // result | stage | code | enhanced | action | rejectOnPolicyError | reply ('-' = James goes on)
        "pass      | rcpt     | 250 | 2.1.5 | reject | false | -",
        "pass      | rcpt     | 250 | 2.1.5 | defer  | false | -",
        "error     | rcpt     | 550 | 5.1.1 | reject | false | 550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1 " + USER_UNKNOWN,
        "error     | rcpt     | 550 | 5.1.1 | defer  | false | 550 5.1.7 Sender address rejected: callback at RCPT TO: 550 5.1.1 " + USER_UNKNOWN,
        "error     | rcpt     | 550 | 5.1.1 | record | true  | -",
        "error     | rcpt     | 550 | 5.1.1 | warn   | true  | -",
        "transient | rcpt     | 450 | 4.2.0 | reject | false | -",
        "transient | rcpt     | 450 | 4.2.0 | defer  | false | 450 4.1.7 Sender address rejected: callback at RCPT TO: 450 4.2.0 " + USER_UNKNOWN,
        "transient | connect  | 0   |       | defer  | false | 450 4.1.7 Sender address rejected: callback at connect: " + USER_UNKNOWN,
        // TLS required and refused: transient whatever the code, and deferred as such
        "transient | tls      | 530 | 5.7.0 | reject | true  | -",
        "transient | tls      | 530 | 5.7.0 | defer  | false | 450 4.1.7 Sender address rejected: callback at STARTTLS: 530 5.7.0 " + USER_UNKNOWN,
        // policy rejections of us: any 5xx at connect, greeting or MAIL FROM; 5.7.x, 5.1.7, 5.1.8 at RCPT TO
        "error     | mail     | 550 | 5.7.1 | reject | false | -",
        "error     | mail     | 550 | 5.7.1 | defer  | false | -",
        "error     | mail     | 550 | 5.7.1 | reject | true  | 550 5.1.7 Sender address rejected: callback at MAIL FROM: 550 5.7.1 " + USER_UNKNOWN,
        "error     | mail     | 553 | 5.1.8 | reject | false | -",
        "error     | mail     | 550 |       | reject | false | -",
        "error     | mail     | 550 |       | reject | true  | 550 5.1.7 Sender address rejected: callback at MAIL FROM: 550 " + USER_UNKNOWN,
        "error     | greeting | 554 |       | reject | false | -",
        "error     | greeting | 554 | 5.7.1 | reject | true  | 550 5.1.7 Sender address rejected: callback at greeting: 554 5.7.1 " + USER_UNKNOWN,
        "error     | rcpt     | 554 | 5.7.1 | reject | false | -",
        "error     | rcpt     | 554 | 5.7.1 | defer  | false | -",
        "error     | rcpt     | 554 | 5.7.1 | reject | true  | 550 5.1.7 Sender address rejected: callback at RCPT TO: 554 5.7.1 " + USER_UNKNOWN,
        "error     | rcpt     | 550 | 5.1.8 | reject | false | -",
        // not policy: the address refused, or no answer about it
        "error     | dns      | 0   |       | reject | false | 550 5.1.7 Sender address rejected: callback at DNS: " + USER_UNKNOWN,
    })
    void theReplyForEachVerdictAndAction(String result, String stage, int code, String enhanced, String action,
                                         boolean rejectOnPolicyError, String expected) {
        Verdict v = Verdict.builder(Result.valueOf(result.toUpperCase(Locale.ROOT)), Stage.valueOf(stage.toUpperCase(Locale.ROOT)))
            .code(code).enhancedCode(enhanced).text(USER_UNKNOWN).build();
        EnforcementAction a = EnforcementAction.parse(action).orElseThrow();
        EnforcementRules rules = new EnforcementRules(settings(a, Optional.empty(), rejectOnPolicyError));

        RcptAnswer answer = rules.answer(a, Optional.of(v));

        assertThat(replyOf(answer)).isEqualTo(expected);
    }

    @Test
    void stillInProgressAfterTheWaitIsLetThroughByRejectAndDeferredByDefer() {
        EnforcementRules rules = new EnforcementRules(settings(EnforcementAction.DEFER, Optional.empty(), false));

        assertThat(replyOf(rules.answer(EnforcementAction.REJECT, Optional.empty()))).isEqualTo("-");
        assertThat(replyOf(rules.answer(EnforcementAction.DEFER, Optional.empty())))
            .isEqualTo("450 4.7.1 Sender address verification in progress, try again later");
    }

    @Test
    void rejectMessageReplacesTheTextAfterTheCodesButNotTheInProgressAnswer() {
        EnforcementRules rules = new EnforcementRules(settings(EnforcementAction.DEFER, Optional.of("Go away"), false));
        Verdict error = Verdict.builder(Result.ERROR, Stage.RCPT).code(550).enhancedCode("5.1.1").text("no").build();
        Verdict greylisted = Verdict.builder(Result.TRANSIENT, Stage.RCPT).code(451).text("later").build();

        assertThat(replyOf(rules.answer(EnforcementAction.DEFER, Optional.of(error)))).isEqualTo("550 5.1.7 Go away");
        assertThat(replyOf(rules.answer(EnforcementAction.DEFER, Optional.of(greylisted)))).isEqualTo("450 4.1.7 Go away");
        assertThat(replyOf(rules.answer(EnforcementAction.DEFER, Optional.empty())))
            .isEqualTo("450 4.7.1 Sender address verification in progress, try again later");
    }

    @Test
    void theRemoteTextIsSanitisedAndTheLineFitsInAnSmtpReply() {
        String hostile = "evil\r\n250 OK injected " + "x".repeat(1_000);
        Verdict v = Verdict.builder(Result.ERROR, Stage.RCPT).code(550).text(hostile).build();

        String reply = replyOf(new EnforcementRules(settings(EnforcementAction.REJECT, Optional.empty(), false))
            .answer(EnforcementAction.REJECT, Optional.of(v)));

        assertThat(reply).doesNotContain("\r").doesNotContain("\n").startsWith("550 5.1.7 Sender address rejected: callback at RCPT TO: 550 evil??250");
        assertThat(reply.length() + 2).as("with CRLF, RFC 5321's 512 octets").isLessThanOrEqualTo(512);
    }

    @Test
    void refusalsAreDenyAndDenySoftWithOurCodesNeverOk() {
        Verdict error = Verdict.builder(Result.ERROR, Stage.RCPT).code(550).build();
        Verdict greylisted = Verdict.builder(Result.TRANSIENT, Stage.RCPT).code(450).build();
        EnforcementRules rules = new EnforcementRules(settings(EnforcementAction.DEFER, Optional.empty(), false));

        HookResult deny = rules.answer(EnforcementAction.DEFER, Optional.of(error)).hookResult();
        HookResult denySoft = rules.answer(EnforcementAction.DEFER, Optional.of(greylisted)).hookResult();

        assertThat(deny.getResult().getAction()).isEqualTo(Action.DENY);
        assertThat(denySoft.getResult().getAction()).isEqualTo(Action.DENYSOFT);
        assertThat(rules.answer(EnforcementAction.DEFER, Optional.empty()).hookResult().getResult().getAction())
            .isEqualTo(Action.DENYSOFT);
        assertThat(rules.answer(EnforcementAction.REJECT, Optional.empty()).hookResult()).isEqualTo(HookResult.DECLINED);
    }

    static EnforcementSettings settings(EnforcementAction action, Optional<String> message, boolean rejectOnPolicyError) {
        return new EnforcementSettings(action, Duration.ofSeconds(10), message, rejectOnPolicyError);
    }

    /** The line James writes for the answer, as its RCPT handler builds it from the hook result; "-" for none. */
    static String replyOf(RcptAnswer answer) {
        HookResult r = answer.hookResult();
        if (r.equals(HookResult.DECLINED)) {
            return "-";
        }
        return String.join("\r\n", AbstractHookableCmdHandler.calcDefaultSMTPResponse(r).getLines().stream()
            .map(CharSequence::toString).toArray(String[]::new));
    }
}
