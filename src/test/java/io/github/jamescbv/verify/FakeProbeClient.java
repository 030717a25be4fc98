package io.github.jamescbv.verify;

import io.github.jamescbv.smtp.ProbeClient;
import io.github.jamescbv.smtp.ProbeOutcome;
import io.github.jamescbv.smtp.ProbeRequest;
import io.github.jamescbv.smtp.SmtpReply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A probe client answering per target IP from a table, recording every request. */
final class FakeProbeClient implements ProbeClient {
    private final Map<String, ProbeOutcome> outcomes = new ConcurrentHashMap<>();
    final List<ProbeRequest> requests = new CopyOnWriteArrayList<>();

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
        ProbeOutcome o = outcomes.get(request.target().getAddress().getHostAddress());
        if (o == NEVER) {
            return new CompletableFuture<>();
        }
        if (o == null) {
            return CompletableFuture.completedFuture(
                ProbeOutcome.failed(Stage.CONNECT, ProbeOutcome.Failure.CONNECT, "connection refused"));
        }
        return CompletableFuture.completedFuture(o);
    }

    @Override
    public void close() {
    }
}
