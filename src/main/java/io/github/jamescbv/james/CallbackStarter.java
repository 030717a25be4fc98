package io.github.jamescbv.james;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.GuardedVerifier;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.TimeMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the callback for one sender and returns at once with a {@link PendingVerdict}: the
 * work runs on the engine's threads, never on James's event loop. Also the one place that
 * logs each verification (one INFO line) and counts it, for the handler and the mailet alike.
 */
final class CallbackStarter {
    private static final int MAX_LOGGED_ADDRESS = 256;

    /** How a user of the starter names things in its log lines and texts. */
    static final class LogStyle {
        /** The handler: "sender=... session=...", under the handler's logger. */
        static final LogStyle HANDLER = new LogStyle(LoggerFactory.getLogger(CallbackVerifyHandler.class),
            "sender", "session", "sender address");
        /** An operator's request through WebAdmin: "address=... request=webadmin". */
        static final LogStyle OPERATOR = new LogStyle(LoggerFactory.getLogger(OperatorAccess.class),
            "address", "request", "address");

        final Logger log;
        /**
         * The one INFO line per verification: address, domain, result, stage, code, ms (the
         * callback), waitMs (the wait for the limits before it), cached, tls, context, text.
         */
        final String verdictLine;
        final String dialogLine;
        /** What the address is, in the text of an address we refuse to probe. */
        final String addressNoun;

        /**
         * @param addressKey what the line calls the address ("sender")
         * @param contextKey what it calls the context that caused the callback ("session", "mail")
         */
        LogStyle(Logger log, String addressKey, String contextKey, String addressNoun) {
            this.log = log;
            this.verdictLine = "callback verification " + addressKey + "={} domain={} result={} stage={} code={} ms={} "
                + "waitMs={} cached={} tls={} " + contextKey + "={} text=\"{}\"";
            this.dialogLine = "callback dialog " + contextKey + "={}: {}";
            this.addressNoun = addressNoun;
        }
    }

    private final GuardedVerifier verifier;
    private final DomainMap map;
    private final CbvMetrics metrics;
    private final LogStyle style;
    private final Logger log;

    CallbackStarter(GuardedVerifier verifier, DomainMap map, CbvMetrics metrics) {
        this(verifier, map, metrics, LogStyle.HANDLER);
    }

    CallbackStarter(GuardedVerifier verifier, DomainMap map, CbvMetrics metrics, LogStyle style) {
        this.verifier = verifier;
        this.map = map;
        this.metrics = metrics;
        this.style = style;
        this.log = style.log;
    }

    /** @param client the connecting client, charged for the callback if it is a new one */
    PendingVerdict start(MailAddress sender, String sessionId, Optional<InetAddress> client) {
        return start(sender.asString(), sessionId, client);
    }

    /**
     * As {@link #start(MailAddress, String, Optional)} for an address still in raw text (from
     * mail content, say): {@link EmailAddress#parse} refuses what cannot go into a command.
     *
     * @param context what the log line names the callback by (a session id, a mail name)
     */
    PendingVerdict start(String raw, String context, Optional<InetAddress> client) {
        EmailAddress address;
        try {
            address = EmailAddress.parse(raw);
        } catch (InvalidAddressException e) {
            return unverifiable(raw, e.getMessage(), context);
        }
        return begin(address, context, target -> verifier.verify(target, client, dialogLogger(context)));
    }

    /**
     * An operator's callback for {@code address}, made now whatever the memory holds, within the
     * limits ({@link GuardedVerifier#verifyNow}); logged and counted like any other. Its dialog
     * goes to {@code dialog} as well as to the DEBUG log.
     */
    PendingVerdict startNow(EmailAddress address, String context, DialogListener dialog) {
        DialogListener logged = dialogLogger(context);
        DialogListener both = line -> {
            logged.onLine(line);
            dialog.onLine(line);
        };
        return begin(address, context, target -> verifier.verifyNow(target, Optional.empty(), both));
    }

    /** Routes {@code address} through the map and has {@code call} verify it; logs and counts the verdict. */
    private PendingVerdict begin(EmailAddress address, String context, Function<CallbackTarget, CompletionStage<Verdict>> call) {
        CallbackTarget target = map.route(address);
        String domain = target.domain();
        long startNanos = System.nanoTime();
        TimeMetric timer = metrics.started();
        CompletableFuture<Verdict> verdict = new CompletableFuture<>();
        verdict.whenComplete((v, e) -> finished(address, v, timer, context));
        try {
            call.apply(target).whenComplete((v, e) -> {
                if (e != null || v == null) {
                    verdict.complete(internalFailure(domain, "engine failed: " + e));
                } else {
                    verdict.complete(v);
                }
            });
        } catch (RuntimeException e) {
            verdict.complete(internalFailure(domain, "engine failed to start the callback: " + e));
        }
        return PendingVerdict.running(verdict, domain, startNanos);
    }

    /**
     * An address that James accepted but that we will not put into an SMTP command (non-ASCII,
     * over-long, an address literal...). Not {@code error}: the address may well exist, we only
     * cannot ask safely. So {@code transient}, stage policy, with the reason as text.
     */
    private PendingVerdict unverifiable(String raw, String reason, String context) {
        return refused(raw, style.addressNoun + " cannot be verified safely: " + reason, context);
    }

    /**
     * No callback, for a reason the verdict carries as its text: {@code transient}, stage
     * policy; logged and counted like a verification.
     *
     * @param raw the address or text in its place, as found (sanitised here before it is logged)
     */
    PendingVerdict refused(String raw, String text, String context) {
        Verdict v = Verdict.builder(Result.TRANSIENT, Stage.POLICY).text(text).build();
        metrics.counted(v);
        log.info(style.verdictLine, SafeText.clean(raw, MAX_LOGGED_ADDRESS), "", v.result().word(), v.stage().word(),
            "", 0, 0, false, "", context, v.text());
        return PendingVerdict.decided(v);
    }

    private Verdict internalFailure(String domain, String reason) {
        log.warn("callback verification failed inside the extension ({}); recording transient", SafeText.clean(reason, 300));
        return Verdict.builder(Result.TRANSIENT, Stage.INTERNAL).domain(domain).text(reason).build();
    }

    private void finished(EmailAddress address, Verdict v, TimeMetric timer, String context) {
        try {
            metrics.finished(v, timer);
            log.info(style.verdictLine, address, v.domain(), v.result().word(), v.stage().word(),
                v.code() == 0 ? "" : v.code(), v.elapsed().toMillis(), v.waited().toMillis(), cachedWord(v), tlsWord(v),
                context, v.text());
        } catch (RuntimeException e) {
            // Runs on an engine thread: nothing may escape into it.
            log.warn("recording a callback verdict failed: {}", e.toString());
        }
    }

    /** {@code true} or {@code false}, and after a pass being renewed {@code refreshing=true} as a field of its own. */
    private static String cachedWord(Verdict v) {
        return v.refreshing() ? "true refreshing=true" : Boolean.toString(v.cached());
    }

    /** The verdict's TLS state for the log line, quoted when it names a protocol and a cipher (it has a space). */
    private static String tlsWord(Verdict v) {
        return v.tls().indexOf(' ') < 0 ? v.tls() : '"' + v.tls() + '"';
    }

    private DialogListener dialogLogger(String context) {
        if (!log.isDebugEnabled()) {
            return DialogListener.NONE;
        }
        // Lines come sanitised from the engine (DialogListener's contract).
        return line -> log.debug(style.dialogLine, context, line);
    }
}
