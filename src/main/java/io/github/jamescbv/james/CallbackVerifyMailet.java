package io.github.jamescbv.james;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.dns.IpLiteral;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.verify.Verifier;
import java.net.InetAddress;
import java.util.Optional;
import javax.inject.Inject;
import javax.mail.MessagingException;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP Callback Verification on demand (Momentum's Sieve {@code smtp_callback_verify}): a
 * mailet in {@code mailetcontainer.xml} that calls back the mail's envelope sender, the
 * address of one of its headers ({@code header:From}) or a fixed address, and records the
 * verdict as the same Mail attributes as the handler ({@link VerdictAttributes}).
 *
 * <pre>{@code
 * <mailet match="All" class="io.github.jamescbv.james.CallbackVerifyMailet">
 *   <address>header:From</address>
 *   <attribute>smtp_cbv_from</attribute>
 *   <maxWait>30s</maxWait>
 * </mailet>
 * }</pre>
 *
 * <p>It only ever sets attributes: it never changes the mail's state, never drops it and never
 * throws for a verification problem (our own failures are {@code transient}, stage internal,
 * with a WARN). Routing on the verdict is left to James's {@code HasMailAttributeWithValue}.
 *
 * <p>It shares the process's engine threads, verdict cache, callbacks in flight and limits with
 * the handler ({@link CbvRuntime}); its engine settings (HELO name, timeouts, map...) are its own
 * parameters ({@link MailetSettings}).
 */
public class CallbackVerifyMailet extends GenericMailet {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackVerifyMailet.class);
    private static final CallbackStarter.LogStyle LOG_STYLE = new CallbackStarter.LogStyle(LOG, "address", "mail", "address");
    private static final int MAX_LOGGED_NAME = 100;

    private final CbvRuntime runtime;
    private final CbvMetrics metrics;
    private final JamesHostName hostName;

    // Set once by init(), before the container hands over the first mail; read by spool threads after.
    private volatile MailetSettings settings;
    private volatile Verifier engine;
    private volatile VerdictAttributes attributes;
    /** Made at the first mail, once the handlers have configured the shared protections (see {@link CbvRuntime}). */
    private volatile CallbackStarter starter;

    /** @param hostName the name James announces, for the probes' EHLO when {@code heloName} is not given */
    @Inject
    public CallbackVerifyMailet(CbvRuntime runtime, MetricFactory metricFactory, JamesHostName hostName) {
        this.runtime = runtime;
        this.metrics = new CbvMetrics(metricFactory);
        this.hostName = hostName;
    }

    /** Outside James (unit tests): without {@code heloName}, the probes say this host's name. */
    public CallbackVerifyMailet(CbvRuntime runtime, MetricFactory metricFactory) {
        this(runtime, metricFactory, JamesHostName.UNKNOWN);
    }

    @Override
    public void init() throws MessagingException {
        MailetSettings parsed = MailetSettings.parse(getMailetConfig(), hostName::forMailet);
        try {
            this.engine = runtime.engine(parsed.engine());
        } catch (RuntimeException e) {
            throw new MessagingException("CallbackVerifyMailet: cannot start the verification engine: " + e, e);
        }
        this.attributes = new VerdictAttributes(parsed.attribute());
        this.settings = parsed;
        LOG.info("SMTP callback verification mailet enabled: {}", parsed);
        HeloNameWarning.logIfNeeded(LOG, "CallbackVerifyMailet", parsed.heloName(),
            "the mailet's heloName parameter (mailetcontainer.xml)");
    }

    private CallbackStarter starter() {
        CallbackStarter s = starter;
        if (s == null) {
            synchronized (this) {
                s = starter;
                if (s == null) {
                    GuardedVerifier guarded = runtime.join(engine, settings.engine().totalTimeout(), "CallbackVerifyMailet");
                    s = new CallbackStarter(guarded, settings.map(), metrics, LOG_STYLE);
                    starter = s;
                }
            }
        }
        return s;
    }

    /**
     * Runs on a spool thread of the mailet container, not on an SMTP event loop: waiting here
     * (at most {@code maxWait}) holds back this one mail and one of the spool's threads, not other
     * clients' connections. So, unlike the handler, a bounded blocking wait on the verdict is
     * acceptable; the callback itself still runs on the engine's threads, and goes on after
     * {@code maxWait} to fill the cache.
     */
    @Override
    public void service(Mail mail) {
        String context = SafeText.clean(mail.getName(), MAX_LOGGED_NAME);
        Verdict verdict;
        try {
            Optional<PendingVerdict> pending = start(mail, context);
            if (pending.isEmpty()) {
                return;
            }
            pending.get().awaitAtMost(settings.maxWait());
            verdict = pending.get().nowOrInProgress();
        } catch (MessagingException | RuntimeException | LinkageError e) {
            LOG.warn("callback verification failed for mail {}: {}", context, e.toString());
            verdict = Verdict.builder(Result.TRANSIENT, Stage.INTERNAL).text("verification failed: " + e).build();
            metrics.counted(verdict);
        }
        record(mail, verdict, context);
    }

    /** The callback for this mail's address, or a verdict without one; empty when the mail gets no attribute. */
    private Optional<PendingVerdict> start(Mail mail, String context) throws MessagingException {
        AddressChoice choice = settings.address().choose(mail);
        switch (choice.kind()) {
            case NO_CALLBACK:
                LOG.debug("no callback for mail {}: {}", context, choice.reason());
                return Optional.empty();
            case UNUSABLE:
                return Optional.of(starter().refused(choice.address(), "address cannot be verified: " + choice.reason(), context));
            default:
                return Optional.of(starter().start(choice.address(), context, client(mail)));
        }
    }

    private void record(Mail mail, Verdict verdict, String context) {
        try {
            attributes.of(verdict).forEach(mail::setAttribute);
        } catch (RuntimeException e) {
            // Nothing of ours may stop the mail: it goes on without the attribute.
            LOG.warn("setting the callback attribute failed for mail {}: {}", context, e.toString());
        }
    }

    /**
     * The SMTP client that brought the mail, charged for the callback in its per-minute budget.
     * Only an IP literal counts: a name here would need a DNS lookup on the spool thread.
     */
    private static Optional<InetAddress> client(Mail mail) {
        String remote = mail.getRemoteAddr();
        return remote == null ? Optional.empty() : IpLiteral.parse(remote);
    }

    @Override
    public String getMailetInfo() {
        return "CallbackVerifyMailet: SMTP callback verification on demand (james-smtp-cbv)";
    }
}
