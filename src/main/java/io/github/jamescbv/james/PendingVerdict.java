package io.github.jamescbv.james;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.james.protocols.api.ProtocolSession;

/**
 * The verdict of one transaction's callback, known now or later. Kept as a transaction
 * attachment of the SMTP session, so that James itself forgets it on RSET, HELO/EHLO and after
 * DATA: a second transaction in the same connection never sees the first one's verdict.
 *
 * <p>The future completes on an engine thread; reading it (isDone, getNow) is safe from any thread.
 */
final class PendingVerdict {
    static final ProtocolSession.AttachmentKey<PendingVerdict> KEY =
        ProtocolSession.AttachmentKey.of("io.github.jamescbv.pending-verdict", PendingVerdict.class);

    static final String IN_PROGRESS_TEXT = "verification still in progress";

    private final CompletableFuture<Verdict> verdict;
    private final String domain;
    private final long startNanos;

    private PendingVerdict(CompletableFuture<Verdict> verdict, String domain, long startNanos) {
        this.verdict = verdict;
        this.domain = domain;
        this.startNanos = startNanos;
    }

    /** A callback under way; {@code domain} is the domain called back (after the map), for the interim verdict. */
    static PendingVerdict running(CompletableFuture<Verdict> verdict, String domain, long startNanos) {
        return new PendingVerdict(verdict, domain, startNanos);
    }

    /** A verdict reached without a callback (an address we refuse to probe, an internal failure). */
    static PendingVerdict decided(Verdict verdict) {
        return new PendingVerdict(CompletableFuture.completedFuture(verdict), verdict.domain(), System.nanoTime());
    }

    boolean isDone() {
        return verdict.isDone();
    }

    /** The verdict if the callback has finished. */
    Optional<Verdict> now() {
        return Optional.ofNullable(verdict.getNow(null));
    }

    /**
     * The verdict if known, else {@code transient}, stage policy, "verification still in progress":
     * we stopped waiting, which says nothing about the address. The callback itself goes on.
     */
    Verdict nowOrInProgress() {
        return now().orElseGet(() -> Verdict.builder(Result.TRANSIENT, Stage.POLICY)
            .text(IN_PROGRESS_TEXT)
            .domain(domain)
            .elapsed(Duration.ofNanos(System.nanoTime() - startNanos))
            .build());
    }

    CompletionStage<Verdict> completion() {
        return verdict;
    }

    /**
     * Blocks at most {@code limit}: only where a thread may wait, that is the mailet (a spool
     * thread) and the handler's fallback when the reply cannot be held without a thread.
     */
    void awaitAtMost(Duration limit) {
        try {
            verdict.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Unfinished or failed: the message hook reports it as transient.
        }
    }
}
