package io.github.jamescbv.verify;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.smtp.ProbeOutcome;
import io.github.jamescbv.smtp.SmtpReply;
import java.util.Optional;

/**
 * The classification rules: what one probe's outcome means for the verification.
 * Either a final verdict, or "try the next MX address" with the reason kept in case
 * every address fails.
 *
 * <ul>
 *   <li>RCPT TO 2xx: pass.</li>
 *   <li>5xx at greeting, HELO, MAIL FROM or RCPT TO: error.</li>
 *   <li>4xx at MAIL FROM or RCPT TO: transient, and the walk ends there. Backup MXs often
 *       accept everything, so asking one after the primary deferred would be worthless.</li>
 *   <li>4xx at greeting or EHLO/HELO, refused, reset, timed out, protocol error: next MX.</li>
 *   <li>Anything at stage TLS (TLS required and not offered, STARTTLS refused even with a 5xx,
 *       a failed handshake): transient, next MX. It says nothing about the address, and the next
 *       host may well offer TLS. (Under {@code may} the probe has asked again in clear text
 *       already; what reaches here is that session's outcome.)</li>
 * </ul>
 *
 * <p>The verdict also says how the deciding session was protected ({@link ProbeOutcome#tls()}).
 */
public final class OutcomeClassifier {

    /** What to do after one probe. */
    public static final class Decision {
        private final Verdict.Builder verdict;
        private final boolean last;

        private Decision(Verdict.Builder verdict, boolean last) {
            this.verdict = verdict;
            this.last = last;
        }

        /** The verdict this outcome gives: final, or the one to report if no other MX does better. */
        public Verdict.Builder verdict() {
            return verdict;
        }

        /** True when the walk stops here; false to try the next MX address. */
        public boolean isFinal() {
            return last;
        }
    }

    public Decision classify(ProbeOutcome outcome) {
        Decision d = rules(outcome);
        d.verdict.tls(outcome.tls());
        return d;
    }

    private static Decision rules(ProbeOutcome outcome) {
        Stage stage = outcome.stage();
        Optional<SmtpReply> maybeReply = outcome.reply();
        if (maybeReply.isEmpty()) {
            String why = outcome.failure().map(f -> f.name().toLowerCase(java.util.Locale.ROOT)).orElse("failure");
            String text = outcome.detail().isEmpty() ? why : outcome.detail();
            Stage reported = outcome.failure().filter(f -> f == ProbeOutcome.Failure.INTERNAL).isPresent()
                ? Stage.INTERNAL : stage;
            return new Decision(Verdict.builder(Result.TRANSIENT, reported).text(text), false);
        }
        SmtpReply reply = maybeReply.get();
        if (stage == Stage.TLS) {
            return new Decision(withResult(Result.TRANSIENT, stage, reply), false);
        }
        if (stage == Stage.RCPT && reply.isPositive()) {
            return new Decision(withResult(Result.PASS, stage, reply), true);
        }
        if (reply.isPermanent()) {
            return new Decision(withResult(Result.ERROR, stage, reply), true);
        }
        if (reply.isTransient()) {
            boolean afterHelo = stage == Stage.MAIL || stage == Stage.RCPT;
            return new Decision(withResult(Result.TRANSIENT, stage, reply), afterHelo);
        }
        // A 1xx/3xx, or a 2xx where the probe did not expect to stop: the server is confused.
        return new Decision(Verdict.builder(Result.TRANSIENT, stage).code(reply.code())
            .enhancedCode(reply.enhancedCode()).text("unexpected reply: " + reply.text()), false);
    }

    private static Verdict.Builder withResult(Result result, Stage stage, SmtpReply reply) {
        return Verdict.builder(result, stage).code(reply.code()).enhancedCode(reply.enhancedCode()).text(reply.text());
    }
}
