package io.github.jamescbv.smtp;

import io.github.jamescbv.core.Stage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How a probe ended: either a reply that decided it (a 2xx to RCPT TO, or the first reply
 * that was not the expected success), or a failure with no deciding reply (refused, timed
 * out, closed, protocol error).
 *
 * <p>When the request had follow-up recipients and the address was accepted, the session goes
 * on after this outcome is delivered; {@link #followUps()} completes when those are done.
 */
public final class ProbeOutcome {

    /** Why a probe ended without a deciding reply. */
    public enum Failure {
        /** Connection refused, unreachable, or the connect timed out. */
        CONNECT,
        /** No complete reply within commandTimeout, or the overall deadline passed. */
        TIMEOUT,
        /** The remote closed or reset the connection. */
        CLOSED,
        /** A malformed reply, an over-long line, too many lines, or an unexpected code. */
        PROTOCOL,
        /** TLS was required and the server does not offer it, or the TLS handshake failed. */
        TLS,
        /** Anything else (a bug of ours, an I/O error): never thrown, always reported. */
        INTERNAL
    }

    private static final CompletionStage<List<FollowUpReply>> NO_FOLLOW_UPS = CompletableFuture.completedStage(List.of());

    private final Stage stage;
    private final SmtpReply reply;
    private final Failure failure;
    private final String detail;
    private final String tls;
    private final CompletionStage<List<FollowUpReply>> followUps;

    private ProbeOutcome(Stage stage, SmtpReply reply, Failure failure, String detail, String tls,
                         CompletionStage<List<FollowUpReply>> followUps) {
        this.stage = Objects.requireNonNull(stage, "stage");
        this.reply = reply;
        this.failure = failure;
        this.detail = detail == null ? "" : detail;
        this.tls = Objects.requireNonNull(tls, "tls");
        this.followUps = Objects.requireNonNull(followUps, "followUps");
    }

    /** The probe ended on {@code reply}, received at {@code stage}. */
    public static ProbeOutcome replied(Stage stage, SmtpReply reply) {
        return new ProbeOutcome(stage, Objects.requireNonNull(reply, "reply"), null, "", "", NO_FOLLOW_UPS);
    }

    /** The probe ended at {@code stage} without a deciding reply. */
    public static ProbeOutcome failed(Stage stage, Failure failure, String detail) {
        return new ProbeOutcome(stage, null, Objects.requireNonNull(failure, "failure"), detail, "", NO_FOLLOW_UPS);
    }

    /** This outcome, with the follow-ups still running (or done) behind it. */
    public ProbeOutcome withFollowUps(CompletionStage<List<FollowUpReply>> pending) {
        return new ProbeOutcome(stage, reply, failure, detail, tls, pending);
    }

    /** This outcome, decided on a connection protected as {@code protection} says (see {@link #tls()}). */
    public ProbeOutcome withTls(String protection) {
        return new ProbeOutcome(stage, reply, failure, detail, protection, followUps);
    }

    /** The step the probe had reached: CONNECT, GREETING, HELO, MAIL or RCPT. */
    public Stage stage() {
        return stage;
    }

    public Optional<SmtpReply> reply() {
        return Optional.ofNullable(reply);
    }

    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    /** For failures: what happened, e.g. "connection refused", "no reply within 30s". */
    public String detail() {
        return detail;
    }

    /**
     * How the connection that decided was protected when it decided: the TLS protocol and cipher
     * suite ({@code TLSv1.3 TLS_AES_256_GCM_SHA384}), {@code none} while in clear text, or ""
     * when there was no connection (it failed, or the probe was aborted).
     */
    public String tls() {
        return tls;
    }

    /**
     * The follow-up recipients' replies (see {@link ProbeQuery#followUps()}), one per recipient
     * in the request's order, once all are asked or given up; an empty list when the request had
     * none or the address was not accepted. Never completes exceptionally; bounded by the
     * request's deadline like the rest of the dialog.
     */
    public CompletionStage<List<FollowUpReply>> followUps() {
        return followUps;
    }

    @Override
    public String toString() {
        return stage.word() + " " + (reply != null ? reply.toString() : failure + " " + detail);
    }
}
