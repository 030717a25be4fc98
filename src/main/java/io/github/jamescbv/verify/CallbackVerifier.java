package io.github.jamescbv.verify;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.dns.MxHost;
import io.github.jamescbv.dns.MxResolution;
import io.github.jamescbv.dns.MxResolver;
import io.github.jamescbv.smtp.FollowUpReply;
import io.github.jamescbv.smtp.ProbeClient;
import io.github.jamescbv.smtp.ProbeLimits;
import io.github.jamescbv.smtp.ProbeOutcome;
import io.github.jamescbv.smtp.ProbeQuery;
import io.github.jamescbv.smtp.ProbeRequest;
import io.github.jamescbv.smtp.Route;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: domain map, MX resolution, target guard, then probes of the MX addresses in
 * order until one decides. Holds no thread of its own while waiting: every step is a
 * continuation of the DNS or SMTP client's completion, so a thousand verifications in
 * flight cost a thousand small state objects, not a thousand threads.
 *
 * <p>With {@code randomCheck} or {@code postmasterCheck}, a pass is completed only after the
 * {@link DomainChecks} asked on the same probe session (or gave up): their facts are part of
 * the verdict, but never change its result.
 *
 * <p>Stages returned by {@link #verify} complete on engine threads (DNS or Netty). Callers
 * must not block in their continuations; hand real work to an executor of their own.
 */
public final class CallbackVerifier implements Verifier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackVerifier.class);
    /** How long after the deadline the safety net fires, leaving the clients time to report first. */
    private static final Duration TIMEOUT_GRACE = Duration.ofMillis(250);

    private final VerifierSettings settings;
    private final MxResolver resolver;
    private final ProbeClient probes;
    private final TargetAddressGuard guard;
    private final OutcomeClassifier classifier = new OutcomeClassifier();
    private final DomainChecks checks;
    private final List<AutoCloseable> owned;
    /** The clock of the deadlines, and the timer of the total-timeout safety nets (cancelled when their verification ends). */
    private final Ticker ticker;
    private final Scheduler timer;

    /**
     * Assembles an engine from parts; {@code owned} are closed by {@link #close()}.
     *
     * @param ticker the clock of the deadlines, handed to the probes with theirs ({@link Ticker#SYSTEM}
     *               but in tests: the probes' and the safety nets' delays still pass in real time)
     * @param timer  the timer of the total-timeout safety nets, on {@code ticker}'s clock
     */
    public CallbackVerifier(VerifierSettings settings, MxResolver resolver, ProbeClient probes,
                            TargetAddressGuard guard, Ticker ticker, Scheduler timer, List<AutoCloseable> owned) {
        this.settings = settings;
        this.resolver = resolver;
        this.probes = probes;
        this.guard = guard;
        this.checks = new DomainChecks(settings.randomCheck(), settings.postmasterCheck());
        this.owned = List.copyOf(owned);
        this.ticker = ticker;
        this.timer = timer;
    }

    /**
     * Builds the real engine with resources of its own (dnsjava resolver, Netty probe client,
     * timer), which {@link #close()} stops: for the command line and tests. A long-running process
     * shares one {@link EngineResources} among its engines instead.
     */
    public static CallbackVerifier start(VerifierSettings settings) {
        EngineResources resources = EngineResources.start(settings.ioThreads());
        try {
            CallbackVerifier own = resources.verifier(settings);
            return new CallbackVerifier(settings, own.resolver, own.probes, own.guard, own.ticker, own.timer,
                List.of(resources));
        } catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }

    public VerifierSettings settings() {
        return settings;
    }

    @Override
    public CompletionStage<Verdict> verify(CallbackTarget target, DialogListener listener, DomainFacts known) {
        Verification v = new Verification(target, listener, known);
        try {
            v.run();
        } catch (RuntimeException e) {
            v.internalFailure(e);
        }
        return v.result;
    }

    @Override
    public int probesAtMost(CallbackTarget target) {
        return 1 + checks.mostAsked(target.recipient());
    }

    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** The state of one verification: its target, deadline, attempts so far and result. */
    private final class Verification {
        final CallbackTarget target;
        final DialogListener listener;
        final DomainFacts known;
        final long startNanos = ticker.nanoTime();
        final long deadlineNanos;
        final CompletableFuture<Verdict> result = new CompletableFuture<>();
        volatile Stage stage = Stage.DNS;
        volatile MxCandidate current;
        volatile DomainChecks.Plan plan;
        /** The address's pass while its domain checks are still being asked; null otherwise. */
        volatile Verdict passAwaitingChecks;

        Verification(CallbackTarget target, DialogListener listener, DomainFacts known) {
            this.target = target;
            this.listener = listener;
            this.known = known;
            this.deadlineNanos = startNanos + settings.totalTimeout().toNanos();
        }

        void run() {
            if (target.mapped()) {
                listener.onLine("map: " + target.original().domain() + " -> " + describe(target));
            }
            plan = checks.plan(target.recipient(), known);
            if (settings.randomCheck() && known.acceptsAll()) {
                listener.onLine("random check skipped: " + target.domain() + " is known to accept every address");
            }
            armTotalTimeout();
            CompletionStage<MxResolution> lookup = target.directHost()
                .map(resolver::resolveHost)
                .orElseGet(() -> resolver.resolveMx(target.domain()));
            lookup.whenComplete((resolution, error) -> {
                try {
                    if (error != null) {
                        internalFailure(error);
                    } else {
                        onResolved(resolution);
                    }
                } catch (RuntimeException e) {
                    internalFailure(e);
                }
            });
        }

        /**
         * A safety net: the DNS and SMTP clients honour the deadline themselves and report
         * the precise stage; this fires a little later, only if something failed to.
         */
        private void armTotalTimeout() {
            long delay = deadlineNanos - ticker.nanoTime() + TIMEOUT_GRACE.toNanos();
            Scheduler.Cancellable safetyNet = timer.schedule(() -> {
                Verdict pass = passAwaitingChecks;
                String reached = "total timeout " + Durations.format(settings.totalTimeout()) + " reached";
                if (pass != null) { // the address passed: only its domain checks ran out of time
                    finish(plan.apply(pass, List.of(), reached));
                } else {
                    // Still at DNS: the lookups' own deadlines did not end it, but time did.
                    finish(Verdict.builder(Result.TRANSIENT, stage).text(reached)
                        .dnsFailure(stage == Stage.DNS ? DnsFailure.TIMEOUT : null));
                }
            }, delay);
            result.whenComplete((v, e) -> safetyNet.cancel());
        }

        private void onResolved(MxResolution resolution) {
            for (String line : resolution.answers()) {
                listener.onLine("dns: " + line);
            }
            switch (resolution.status()) {
                case FOUND:
                    walk(candidates(resolution), 0, null);
                    return;
                case TEMPFAIL:
                    finish(Verdict.builder(Result.TRANSIENT, Stage.DNS).text(resolution.reason())
                        .dnsFailure(resolution.cause().orElse(DnsFailure.OTHER)));
                    return;
                default:
                    finish(Verdict.builder(Result.ERROR, Stage.DNS).text(resolution.reason()));
            }
        }

        /** Flattens hosts into addresses to try, dropping (and reporting) those the guard refuses. */
        private List<MxCandidate> candidates(MxResolution resolution) {
            int port = target.directPort() != 0 ? target.directPort() : settings.port();
            List<MxCandidate> out = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            for (MxHost host : resolution.hosts()) {
                for (InetAddress ip : host.addresses()) {
                    Optional<String> why = guard.refusal(ip);
                    if (why.isPresent()) {
                        refused.add(host.name() + ": " + why.get());
                        listener.onLine("refused target " + host.name() + " " + why.get());
                    } else {
                        out.add(new MxCandidate(host.name(), new InetSocketAddress(ip, port)));
                    }
                }
            }
            if (out.isEmpty()) {
                String text = refused.isEmpty()
                    ? "no usable mail host address for " + target.domain()
                    : "every mail host address of " + target.domain() + " is refused: " + String.join("; ", refused);
                Result r = refused.isEmpty() ? Result.TRANSIENT : Result.ERROR;
                finish(Verdict.builder(r, refused.isEmpty() ? Stage.DNS : Stage.POLICY).text(text));
            }
            return out;
        }

        /** Probes candidate {@code i}; on a non-final outcome moves on, keeping the last reason. */
        private void walk(List<MxCandidate> candidates, int i, Verdict.Builder lastFailure) {
            if (result.isDone() || candidates.isEmpty()) {
                return;
            }
            if (i >= candidates.size() || i >= settings.maxMxAttempts()) {
                String prefix = "no mail host gave an answer (" + i + " tried), last: ";
                Verdict last = lastFailure.build();
                finish(lastFailure.text(prefix + last.text()));
                return;
            }
            if (ticker.nanoTime() - deadlineNanos >= 0) {
                return; // the total-timeout task reports it
            }
            MxCandidate c = candidates.get(i);
            current = c;
            stage = Stage.CONNECT;
            probes.probe(new ProbeRequest(new Route(c.address, c.host, settings.heloName(), settings.tls())
                        .withPipelining(settings.pipelining()),
                    new ProbeQuery(settings.mailFrom(), target.recipient(), plan.followUps()),
                    new ProbeLimits(settings.connectTimeout(), settings.commandTimeout(), deadlineNanos, ticker), listener,
                    target.domain()))
                .whenComplete((outcome, error) -> {
                    try {
                        if (error != null) {
                            internalFailure(error);
                            return;
                        }
                        stage = outcome.stage();
                        OutcomeClassifier.Decision d = classifier.classify(outcome);
                        Verdict.Builder b = d.verdict().mxHost(c.host).ip(c.address.getAddress().getHostAddress());
                        if (d.isFinal() && b.result() == Result.PASS && plan.any()) {
                            awaitChecks(outcome, b.build());
                        } else if (d.isFinal()) {
                            finish(b);
                        } else {
                            walk(candidates, i + 1, b);
                        }
                    } catch (RuntimeException e) {
                        internalFailure(e);
                    }
                });
        }

        /** The address passed; the verdict is complete once its domain checks are answered or given up. */
        private void awaitChecks(ProbeOutcome outcome, Verdict pass) {
            passAwaitingChecks = pass;
            outcome.followUps().whenComplete((replies, error) -> {
                try {
                    List<FollowUpReply> got = replies == null ? List.of() : replies;
                    finish(plan.apply(pass, got, error == null ? "no reply" : "internal error: " + error));
                } catch (RuntimeException e) {
                    internalFailure(e);
                }
            });
        }

        void internalFailure(Throwable e) {
            LOG.warn("verification of {} failed inside the engine: {}", target.original(), e.toString(), e);
            finish(Verdict.builder(Result.TRANSIENT, Stage.INTERNAL).text("internal error: " + e));
        }

        private void finish(Verdict.Builder b) {
            if (result.isDone()) {
                return;
            }
            MxCandidate c = current;
            Verdict probe = b.build();
            if (probe.mxHost().isEmpty() && c != null && probe.stage() != Stage.DNS && probe.stage() != Stage.POLICY) {
                b.mxHost(c.host).ip(c.address.getAddress().getHostAddress());
            }
            Verdict v = b.domain(target.domain())
                .elapsed(Duration.ofNanos(ticker.nanoTime() - startNanos)).build();
            if (result.complete(v)) {
                LOG.debug("verified {}: {}", target.original(), v);
            }
        }
    }

    private static String describe(CallbackTarget t) {
        return t.directHost().map(h -> "[" + h + "]" + (t.directPort() == 0 ? "" : ":" + t.directPort()))
            .orElse(t.domain()) + " (RCPT TO:<" + t.recipient() + ">)";
    }
}
