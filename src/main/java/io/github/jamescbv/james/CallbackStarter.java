package io.github.jamescbv.james;

import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.smtp.DialogListener;
import io.github.jamescbv.verify.DomainMap;
import io.github.jamescbv.verify.EmailAddress;
import io.github.jamescbv.verify.InvalidAddressException;
import io.github.jamescbv.verify.Result;
import io.github.jamescbv.verify.SafeText;
import io.github.jamescbv.verify.Stage;
import io.github.jamescbv.verify.Verdict;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.TimeMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the callback for one sender and returns at once with a {@link PendingVerdict}: the
 * work runs on the engine's threads, never on James's event loop. Also the one place that
 * logs each verification (one INFO line) and counts it.
 */
final class CallbackStarter {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackVerifyHandler.class);
    private static final int MAX_LOGGED_ADDRESS = 256;

    private final GuardedVerifier verifier;
    private final DomainMap map;
    private final CbvMetrics metrics;

    CallbackStarter(GuardedVerifier verifier, DomainMap map, CbvMetrics metrics) {
        this.verifier = verifier;
        this.map = map;
        this.metrics = metrics;
    }

    /** @param client the connecting client, charged for the callback if it is a new one */
    PendingVerdict start(MailAddress sender, String sessionId, Optional<InetAddress> client) {
        String raw = sender.asString();
        EmailAddress address;
        try {
            address = EmailAddress.parse(raw);
        } catch (InvalidAddressException e) {
            return unverifiable(raw, e.getMessage(), sessionId);
        }
        String domain = map.route(address).domain();
        long startNanos = System.nanoTime();
        TimeMetric timer = metrics.started();
        CompletableFuture<Verdict> verdict = new CompletableFuture<>();
        verdict.whenComplete((v, e) -> finished(address, v, timer, sessionId));
        try {
            verifier.verify(address, client, dialogLogger(sessionId)).whenComplete((v, e) -> {
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
    private PendingVerdict unverifiable(String raw, String reason, String sessionId) {
        Verdict v = Verdict.builder(Result.TRANSIENT, Stage.POLICY)
            .text("sender address cannot be verified safely: " + reason)
            .build();
        metrics.counted(v);
        LOG.info("callback verification sender={} domain= result={} stage={} code= ms=0 cached=false session={} text=\"{}\"",
            SafeText.clean(raw, MAX_LOGGED_ADDRESS), v.result().word(), v.stage().word(), sessionId, v.text());
        return PendingVerdict.decided(v);
    }

    private Verdict internalFailure(String domain, String reason) {
        LOG.warn("callback verification failed inside the extension ({}); recording transient", SafeText.clean(reason, 300));
        return Verdict.builder(Result.TRANSIENT, Stage.INTERNAL).domain(domain).text(reason).build();
    }

    private void finished(EmailAddress address, Verdict v, TimeMetric timer, String sessionId) {
        try {
            metrics.finished(v, timer);
            LOG.info("callback verification sender={} domain={} result={} stage={} code={} ms={} cached={} session={} text=\"{}\"",
                address, v.domain(), v.result().word(), v.stage().word(), v.code() == 0 ? "" : v.code(),
                v.elapsed().toMillis(), v.cached(), sessionId, v.text());
        } catch (RuntimeException e) {
            // Runs on an engine thread: nothing may escape into it.
            LOG.warn("recording a callback verdict failed: {}", e.toString());
        }
    }

    private static DialogListener dialogLogger(String sessionId) {
        if (!LOG.isDebugEnabled()) {
            return DialogListener.NONE;
        }
        // Lines come sanitised from the engine (DialogListener's contract).
        return line -> LOG.debug("callback dialog session={}: {}", sessionId, line);
    }
}
