package io.github.jamescbv.verify;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.smtp.FollowUpReply;
import io.github.jamescbv.smtp.ProbeClient;
import io.github.jamescbv.smtp.ProbeOutcome;
import io.github.jamescbv.smtp.ProbeRequest;
import io.github.jamescbv.smtp.SmtpReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A probe client answering per target IP from a table, recording every request. Follow-up
 * recipients of an accepted address are answered by {@link #followUps}, if set.
 */
final class FakeProbeClient implements ProbeClient {
    private final Map<String, ProbeOutcome> outcomes = new ConcurrentHashMap<>();
    final List<ProbeRequest> requests = new CopyOnWriteArrayList<>();
    /** Recipient -> its follow-up reply; null leaves the follow-ups unreported (an empty list). */
    private volatile Function<EmailAddress, FollowUpReply> followUpReplies;
    private volatile boolean followUpsNeverEnd;

    /** How follow-up recipients are answered once the address was accepted. */
    FakeProbeClient followUps(Function<EmailAddress, FollowUpReply> answers) {
        this.followUpReplies = answers;
        return this;
    }

    /** Follow-ups of accepted addresses that never end: for the total timeout. */
    FakeProbeClient followUpsNeverEnd() {
        this.followUpsNeverEnd = true;
        return this;
    }

    static FollowUpReply followUpReply(EmailAddress recipient, int code, String enhanced, String text) {
        return FollowUpReply.replied(recipient, new SmtpReply(code, enhanced, List.of(text)));
    }

    FakeProbeClient on(String ip, ProbeOutcome outcome) {
        outcomes.put(ip, outcome);
        return this;
    }

    static ProbeOutcome reply(Stage stage, int code, String enhanced, String text) {
        return ProbeOutcome.replied(stage, new SmtpReply(code, enhanced, List.of(text)));
    }

    /** An outcome that never arrives: for the total timeout. */
    static final ProbeOutcome NEVER = ProbeOutcome.failed(Stage.CONNECT, ProbeOutcome.Failure.INTERNAL, "never");

    @Override
    public CompletionStage<ProbeOutcome> probe(ProbeRequest request) {
        requests.add(request);
        ProbeOutcome o = outcomes.get(request.route().address().getAddress().getHostAddress());
        if (o == NEVER) {
            return new CompletableFuture<>();
        }
        if (o == null) {
            return CompletableFuture.completedFuture(
                ProbeOutcome.failed(Stage.CONNECT, ProbeOutcome.Failure.CONNECT, "connection refused"));
        }
        boolean accepted = o.stage() == Stage.RCPT && o.reply().filter(SmtpReply::isPositive).isPresent();
        if (accepted && !request.query().followUps().isEmpty()) {
            return CompletableFuture.completedFuture(o.withFollowUps(followUps(request.query().followUps())));
        }
        return CompletableFuture.completedFuture(o);
    }

    private CompletionStage<List<FollowUpReply>> followUps(List<EmailAddress> recipients) {
        if (followUpsNeverEnd) {
            return new CompletableFuture<>();
        }
        Function<EmailAddress, FollowUpReply> answers = followUpReplies;
        List<FollowUpReply> replies = new ArrayList<>();
        if (answers != null) {
            for (EmailAddress r : recipients) {
                replies.add(answers.apply(r));
            }
        }
        return CompletableFuture.completedFuture(replies);
    }

    @Override
    public void close() {
    }
}
