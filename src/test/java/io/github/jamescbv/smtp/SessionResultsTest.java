package io.github.jamescbv.smtp;

import static io.github.jamescbv.testing.TestProbeRequest.address;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.Stage;
import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The outcome and the follow-ups of a probe's connections, without any connection. */
class SessionResultsTest {
    private static final SmtpReply ACCEPTED = new SmtpReply(250, "2.1.5", List.of("Ok"));
    private static final SmtpReply REJECTED = new SmtpReply(550, "5.1.1", List.of("no such user"));
    private static final String RANDOM = "cbv-0123456789abcdef@example.com";
    private static final String POSTMASTER = "postmaster@example.com";

    private static SessionResults withFollowUps() {
        return new SessionResults(List.of(address(RANDOM), address(POSTMASTER)));
    }

    /** The first connection's results once the address got its 2xx: the follow-ups are asked next. */
    private static SessionResults accepted() {
        SessionResults results = withFollowUps();
        results.decide(ProbeOutcome.replied(Stage.RCPT, ACCEPTED), true);
        return results;
    }

    private static List<String> followUps(ProbeOutcome o) {
        return o.followUps().toCompletableFuture().getNow(null).stream()
            .map(FollowUpReply::toString).collect(Collectors.toList());
    }

    @Test
    void anAcceptedAddressLeavesTheFollowUpsToBeAskedAndTheOutcomeCarriesThem() {
        SessionResults results = withFollowUps();

        assertThat(results.decide(ProbeOutcome.replied(Stage.RCPT, ACCEPTED), true)).isTrue();
        assertThat(results.outcome()).isDone();
        assertThat(results.finished()).isNotDone();
        assertThat(results.nextFollowUp()).hasToString(RANDOM);

        results.followUpAnswered(REJECTED);
        assertThat(results.nextFollowUp()).hasToString(POSTMASTER);
        results.followUpAnswered(ACCEPTED);

        assertThat(results.followUpsRemain()).isFalse();
        assertThat(results.finished()).isDone();
        assertThat(followUps(results.outcome().join())).containsExactly(
            RANDOM + ": 550 5.1.1 no such user", POSTMASTER + ": 250 2.1.5 Ok");
    }

    @Test
    void anOutcomeThatEndsTheDialogSettlesTheFollowUpsAsNotAsked() {
        SessionResults results = withFollowUps();

        results.decide(ProbeOutcome.replied(Stage.RCPT, REJECTED), false);

        assertThat(results.finished()).isDone();
        assertThat(followUps(results.outcome().join())).isEmpty();
        assertThat(results.nextFollowUp()).isNull();
    }

    @Test
    void theOutcomeIsDecidedOnce() {
        SessionResults results = withFollowUps();
        results.decide(ProbeOutcome.replied(Stage.RCPT, REJECTED), false);

        assertThat(results.decide(ProbeOutcome.failed(Stage.RCPT, Failure.CLOSED, "closed"), false)).isFalse();
        assertThat(results.abort(Stage.RCPT, "probe client closed")).isFalse();

        assertThat(results.outcome().join().reply()).contains(REJECTED);
    }

    @Test
    void anAbortBeforeTheOutcomeFailsItAtTheStageReached() {
        SessionResults results = withFollowUps();

        assertThat(results.abort(Stage.MAIL, "probe client closed")).isTrue();

        ProbeOutcome o = results.outcome().join();
        assertThat(o.stage()).isEqualTo(Stage.MAIL);
        assertThat(o.failure()).contains(Failure.INTERNAL);
        assertThat(o.detail()).isEqualTo("probe client closed");
        assertThat(followUps(o)).isEmpty();
        assertThat(results.settled()).isTrue();
    }

    @Test
    void anAbortAfterTheOutcomeGivesUpTheFollowUpsStillWaiting() {
        SessionResults results = accepted();
        results.followUpAnswered(REJECTED);

        assertThat(results.abort(Stage.RCPT, "probe client closed")).isTrue();

        assertThat(followUps(results.outcome().join())).containsExactly(
            RANDOM + ": 550 5.1.1 no such user", POSTMASTER + ": no reply, probe client closed");
    }

    @Test
    void theSecondConnectionSharesTheFollowUpsAndMarksItsReasons() {
        SessionResults first = accepted();
        first.followUpAnswered(REJECTED);

        SessionResults second = first.forSecondConnection();
        assertThat(second.secondConnection()).isTrue();
        assertThat(second.settled()).as("a follow-up is left to ask").isFalse();
        assertThat(second.nextFollowUp()).hasToString(POSTMASTER);
        second.giveUp("connection closed by the remote");

        assertThat(second.settled()).isTrue();
        assertThat(first.finished()).isDone();
        assertThat(followUps(first.outcome().join())).containsExactly(
            RANDOM + ": 550 5.1.1 no such user",
            POSTMASTER + ": no reply, " + SessionResults.SECOND_CONNECTION + "connection closed by the remote");
    }

    @Test
    void whatWouldDecideAnOutcomeOnTheSecondConnectionGivesUpTheFollowUpsInstead() {
        SessionResults first = accepted();
        SessionResults second = first.forSecondConnection();

        assertThat(second.decide(ProbeOutcome.replied(Stage.GREETING,
            new SmtpReply(554, "", List.of("go away"))), false)).isFalse();

        assertThat(second.outcome()).isNotDone();
        assertThat(first.outcome().join().reply()).contains(ACCEPTED);
        assertThat(followUps(first.outcome().join())).containsExactly(
            RANDOM + ": no reply, " + SessionResults.SECOND_CONNECTION + "greeting: 554 go away",
            POSTMASTER + ": no reply, " + SessionResults.SECOND_CONNECTION + "greeting: 554 go away");
    }

    @Test
    void anAbortOnTheSecondConnectionGivesUpTheRestWithoutATranscriptLine() {
        SessionResults first = accepted();

        assertThat(first.forSecondConnection().abort(Stage.CONNECT, "probe client closed")).isFalse();

        assertThat(followUps(first.outcome().join())).allSatisfy(
            line -> assertThat(line).endsWith("no reply, " + SessionResults.SECOND_CONNECTION + "probe client closed"));
    }

    @Test
    void withoutFollowUpsTheProbeIsFinishedOnceTheOutcomeIs() {
        SessionResults results = new SessionResults(List.of());
        assertThat(results.finished()).isNotDone();

        results.decide(ProbeOutcome.replied(Stage.RCPT, ACCEPTED), true);

        assertThat(results.finished()).isDone();
        assertThat(followUps(results.outcome().join())).isEmpty();
    }
}
