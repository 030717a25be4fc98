package io.github.jamescbv.james;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.verify.Verifier;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.inject.Inject;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.api.handler.ProtocolHandlerResultHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP Callback Verification for James 3.8.1: one {@code <handler>} in {@code smtpserver.xml}.
 *
 * <ul>
 *   <li>MAIL FROM (phase mailfrom) or the first RCPT TO to a local domain (phase rcptto): the
 *       callback starts on the engine's threads and the hook answers DECLINED at once.</li>
 *   <li>The final "." of DATA: if the callback is still running, the reply is held without a
 *       thread for at most {@code maxWait} ({@link DataReplyGate}).</li>
 *   <li>End of DATA: the verdict becomes the Mail attribute ({@link VerdictAttributes}).</li>
 *   <li>With {@code <action>} reject or defer, RCPT TO to a local recipient is refused from the
 *       verdict ({@link RcptEnforcer}), its reply held without a thread while the verdict is on
 *       its way ({@link RcptReplyGate}: the reason this class is also a RCPT
 *       {@code CommandHandler} and a {@code ProtocolHandlerResultHandler}).</li>
 * </ul>
 *
 * <p>No hook ever answers OK: OK from a RcptHook would skip James's relay check, OK from a
 * message hook would answer 250 without spooling the mail. By default (action record) every hook
 * answers DECLINED and the attribute is for the mailet container to act on. Any failure of ours
 * ends as {@code transient} with a WARN, never as an exception into James, and never refuses a
 * recipient that the verdict would not.
 *
 * <p>Guice builds one instance per {@code <smtpserver>}; its hooks run on many event loops at
 * once, so per-transaction state lives in the SMTP session, never in fields.
 */
public class CallbackVerifyHandler implements MailHook, RcptHook, JamesMessageHook, DataLineFilter,
    CommandHandler<SMTPSession>, ProtocolHandlerResultHandler<Response, SMTPSession> {
    private static final List<String> COMMANDS = List.of("RCPT");

    private static final Logger LOG = LoggerFactory.getLogger(CallbackVerifyHandler.class);
    /** How the handler names itself to the runtime, in the log lines about shared configuration. */
    private static final String WHO = "CallbackVerifyHandler";

    private final DomainList domains;
    private final CbvMetrics metrics;
    private final CbvRuntime runtime;
    private final JamesHostName hostName;

    // Set once by init(), before James accepts the first connection.
    private HandlerConfig config;
    private CallbackPolicy policy;
    private CallbackStarter starter;
    private DataReplyGate gate;
    private RcptReplyGate rcptGate;
    private RcptEnforcer enforcer;
    private VerdictAttributes attributes;

    /**
     * @param runtime  the process's one engine and memory, shared with every other handler and mailet
     * @param hostName the name James announces, for the probes' EHLO when {@code <heloName>} is not given
     */
    @Inject
    public CallbackVerifyHandler(DomainList domains, MetricFactory metricFactory, CbvRuntime runtime,
                                 JamesHostName hostName) {
        this.domains = domains;
        this.metrics = new CbvMetrics(metricFactory);
        this.runtime = runtime;
        this.hostName = hostName;
    }

    /** Outside James (unit tests): without {@code <heloName>}, the probes say this host's name. */
    public CallbackVerifyHandler(DomainList domains, MetricFactory metricFactory, CbvRuntime runtime) {
        this(domains, metricFactory, runtime, JamesHostName.UNKNOWN);
    }

    @Override
    public void init(Configuration configuration) throws ConfigurationException {
        init(HandlerConfig.parse(configuration, () -> hostName.forHandler(configuration)), ChannelAccess.detect());
    }

    void init(HandlerConfig parsed, ChannelAccess channelAccess) throws ConfigurationException {
        GuardedVerifier guarded;
        try {
            Verifier engine = runtime.engine(parsed.settings());
            guarded = runtime.protect(engine, parsed.settings().totalTimeout(), parsed.cache(), parsed.redis(),
                parsed.limits(), parsed.reuse(), WHO);
        } catch (RuntimeException e) {
            throw new ConfigurationException("CallbackVerifyHandler: cannot start the verification engine: " + e, e);
        }
        this.config = parsed;
        this.policy = new CallbackPolicy(domains, parsed.verifyAuthenticated(), parsed.exemptions());
        this.starter = new CallbackStarter(guarded, parsed.map(), metrics);
        // WebAdmin's routes verify, read and forget as this handler would (the first handler's, if several).
        runtime.offerOperators(new OperatorAccess(
            new CallbackStarter(guarded, parsed.map(), metrics, CallbackStarter.LogStyle.OPERATOR), parsed.map(),
            parsed.exemptions(), runtime.protections(WHO), parsed.settings().totalTimeout()), WHO);
        this.gate = new DataReplyGate(parsed.maxWait(), channelAccess, metrics);
        this.rcptGate = new RcptReplyGate(channelAccess, metrics);
        this.enforcer = new RcptEnforcer(parsed.enforcement(), rcptGate, metrics);
        this.attributes = new VerdictAttributes(parsed.attribute());
        LOG.info("SMTP callback verification enabled: {}", parsed);
        HeloNameWarning.logIfNeeded(LOG, WHO, parsed.heloName(), "<heloName> in the handler (smtpserver.xml)");
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (config.phase() != Phase.MAILFROM) {
            return HookResult.DECLINED;
        }
        try {
            Optional<String> skip = policy.reasonToSkip(session, sender);
            if (skip.isPresent()) {
                LOG.debug("no callback for session {}: {}", session.getSessionID(), skip.get());
                return HookResult.DECLINED;
            }
            attach(session, starter.start(sender.get(), session.getSessionID(), CallbackPolicy.clientAddress(session)));
        } catch (RuntimeException | LinkageError e) {
            recordFailure(session, "starting the callback at MAIL FROM failed", e);
        }
        return HookResult.DECLINED;
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt, Map<String, String> parameters) {
        if (config.phase() == Phase.RCPTTO) {
            startAtFirstLocalRecipient(session, sender, rcpt);
        }
        return enforce(session, sender, rcpt);
    }

    private void startAtFirstLocalRecipient(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        try {
            if (session.getAttachment(PendingVerdict.KEY, ProtocolSession.State.Transaction).isPresent()) {
                return; // one callback per transaction
            }
            Optional<String> skip = policy.reasonToSkip(session, sender);
            if (skip.isPresent()) {
                LOG.debug("no callback for session {}: {}", session.getSessionID(), skip.get());
                return;
            }
            if (!policy.isLocal(rcpt)) {
                LOG.debug("no callback for session {} at RCPT TO: recipient domain {} is not local",
                    session.getSessionID(), SafeText.clean(rcpt.getDomain().asString(), 255));
                return;
            }
            attach(session, starter.start(sender.get(), session.getSessionID(), CallbackPolicy.clientAddress(session)));
        } catch (DomainListException | RuntimeException | LinkageError e) {
            recordFailure(session, "starting the callback at RCPT TO failed", e);
        }
    }

    /** SMTP-time enforcement (action reject, defer, warn); DECLINED when there is nothing to enforce. */
    private HookResult enforce(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        if (config.enforcement().action() == EnforcementAction.RECORD) {
            return HookResult.DECLINED;
        }
        try {
            Optional<PendingVerdict> pending = session.getAttachment(PendingVerdict.KEY, ProtocolSession.State.Transaction);
            // A non-local recipient is James's relay check's business; refusing it here would also
            // tell a relay-probing client what our verdict is.
            if (pending.isEmpty() || !policy.isLocal(rcpt)) {
                return HookResult.DECLINED;
            }
            return enforcer.onLocalRecipient(session, sender, rcpt, pending.get());
        } catch (DomainListException | RuntimeException | LinkageError e) {
            LOG.warn("enforcing the verdict at RCPT TO failed for session {}: {}; recipient not refused",
                session.getSessionID(), e.toString());
            return HookResult.DECLINED;
        }
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        // RcptHook's defaults call each other in a circle; James calls the 4-argument form, anyone else lands there too.
        return doRcpt(session, sender, rcpt, Map.of());
    }

    /** RCPT, seen before James's own RCPT handler: the command line is kept in case its reply must be held. */
    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (enforcer.holdsRcpt()) {
            try {
                rcptGate.noteCommand(session, request);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("noting the RCPT command failed for session {}: {}", session.getSessionID(), e.toString());
            }
        }
        return null; // James's RCPT handler answers
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }

    /** Every reply James is about to write: the one our RCPT hook asked to hold is replaced by nothing, and held. */
    @Override
    public Response onResponse(ProtocolSession session, Response response, long executionTime, ProtocolHandler handler) {
        try {
            return rcptGate.onResponse(session, response);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("holding the reply to RCPT TO failed for session {}: {}", session.getSessionID(), e.toString());
            return response;
        }
    }

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        return gate.onLine(session, line, next);
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        try {
            Optional<PendingVerdict> pending = session.getAttachment(PendingVerdict.KEY, ProtocolSession.State.Transaction);
            if (pending.isPresent()) {
                Verdict verdict = pending.get().nowOrInProgress();
                attributes.of(verdict).forEach(mail::setAttribute);
                LOG.debug("session {}: mail {} gets {}={}", session.getSessionID(), mail.getName(), config.attribute(),
                    verdict.result().word());
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("setting the callback attribute failed for session {}: {}", session.getSessionID(), e.toString());
            try {
                attributes.of(failure("setting the attribute failed: " + e)).forEach(mail::setAttribute);
            } catch (RuntimeException again) {
                LOG.warn("setting the fallback attribute failed too: {}", again.toString());
            }
        }
        return HookResult.DECLINED;
    }

    /** Our own failure becomes the transaction's verdict: transient, logged at WARN. */
    private void recordFailure(SMTPSession session, String what, Throwable e) {
        LOG.warn("{} for session {}: {}", what, session.getSessionID(), e.toString());
        try {
            Verdict v = failure(what + ": " + e);
            metrics.counted(v);
            attach(session, PendingVerdict.decided(v));
        } catch (RuntimeException again) {
            LOG.warn("recording the failure failed too: {}", again.toString());
        }
    }

    private static Verdict failure(String text) {
        return Verdict.builder(Result.TRANSIENT, Stage.INTERNAL).text(text).build();
    }

    private static void attach(SMTPSession session, PendingVerdict pending) {
        session.setAttachment(PendingVerdict.KEY, pending, ProtocolSession.State.Transaction);
    }
}
