package io.github.jamescbv.james;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.GuardEvents;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.Protections;
import io.github.jamescbv.smtp.ConnectionCounts;
import io.github.jamescbv.smtp.ReuseSettings;
import io.github.jamescbv.store.memory.InMemoryProtections;
import io.github.jamescbv.store.redis.RedisProtections;
import io.github.jamescbv.store.redis.RedisSettings;
import io.github.jamescbv.verify.EngineResources;
import io.github.jamescbv.verify.Verifier;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one engine and the one memory of a James process: the SMTP event loops, DNS resolvers and
 * timer every callback runs on, and the verdict cache, the callbacks in flight and the limits
 * that protect remote domains. The handlers (one per {@code <smtpserver>}), the on-demand
 * mailets and anything else of ours in the process ask it for a {@link GuardedVerifier} with their
 * own engine settings (HELO name, timeouts, map...), and so share one memory: a remote domain's
 * budget and a forged sender's cached answer do not depend on which port or mailet asked.
 *
 * <p>{@link Singleton}: SMTP handlers, mailets and WebAdmin routes are all built by James's one
 * extension loader, in one injector, so Guice gives them this same instance; James calls
 * {@link #close()} ({@link PreDestroy}) when it stops, and that is the only place the threads end.
 *
 * <p>Handlers configure the memory: the first handler's cache, limit and connection reuse settings
 * are taken, a later different configuration is reported and ignored. Reuse goes to the engine's
 * one pool of kept connections, bounded per domain by the limits' {@code perDomainConcurrent}. A mailet only joins, and James 3.8.1
 * initialises the mailet container before the SMTP servers: so a mailet's protections are
 * resolved at its first use, by which time the handlers have given theirs (the defaults if none
 * did). The first handler also chooses where the memory lives: this process ({@code memory},
 * the default), or Redis shared with the other nodes of a cluster ({@code <redis>}).
 *
 * <p>The first handler also registers what the WebAdmin routes need to act as it would
 * ({@link OperatorAccess}). Every guard made here counts its hits, misses, joins and refusals
 * into James's metrics ({@link GuardMetrics}), and the protections' gauges (callbacks in flight,
 * queued...) go to James's gauges ({@link ProtectionGauges}).
 */
@Singleton
public class CbvRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CbvRuntime.class);

    /** Where engines come from: the process's shared resources, or a fake in unit tests. */
    private interface Engines extends AutoCloseable {
        /** @throws IllegalArgumentException when the settings cannot be used (a DNS server that does not resolve) */
        Verifier engine(VerifierSettings settings);

        /** How the engines' one pool keeps connections, and their bound per called-back domain. */
        void reuse(ReuseSettings reuse, int connectionsPerDomain);

        /** The probe connections' counts now; none before the engines' threads start. */
        ConnectionCounts connections();

        @Override
        void close();
    }

    private final Engines engines;
    private final GaugeRegistry gauges;
    private final GuardEvents guardEvents;
    private CacheSettings cacheSettings;
    private Optional<RedisSettings> redisSettings;
    private LimitSettings limitSettings;
    private ReuseSettings reuseSettings;
    private String configuredBy;
    private Protections protections;
    private OperatorAccess operators;
    private String operatorsFrom;
    private boolean closed;

    /** The real engines, on resources started at the first request (a James without our handler starts no thread); nothing counted. */
    public CbvRuntime() {
        this(new SharedEngines(), new NoopGaugeRegistry(), GuardEvents.NONE);
    }

    /**
     * As James builds it: the guards count into James's metrics, the protections' gauges and the
     * shared store's health go to James's gauges (JMX, the metrics route).
     */
    @Inject
    public CbvRuntime(GaugeRegistry gauges, MetricFactory metrics) {
        this(new SharedEngines(), gauges, new GuardMetrics(metrics));
    }

    /** With engines of the caller's that need no closing (unit tests: a fake engine). */
    CbvRuntime(Function<VerifierSettings, Verifier> engines) {
        this(engines, new NoopGaugeRegistry());
    }

    /** As above, the gauges going to {@code gauges}. */
    CbvRuntime(Function<VerifierSettings, Verifier> engines, GaugeRegistry gauges) {
        this(engines, gauges, GuardEvents.NONE);
    }

    /** As above, the guards counting into {@code metrics}. */
    CbvRuntime(Function<VerifierSettings, Verifier> engines, GaugeRegistry gauges, MetricFactory metrics) {
        this(engines, gauges, new GuardMetrics(metrics));
    }

    private CbvRuntime(Function<VerifierSettings, Verifier> engines, GaugeRegistry gauges, GuardEvents guardEvents) {
        this(new Engines() {
            @Override
            public Verifier engine(VerifierSettings settings) {
                return engines.apply(settings);
            }

            @Override
            public void reuse(ReuseSettings reuse, int connectionsPerDomain) {
            }

            @Override
            public ConnectionCounts connections() {
                return ConnectionCounts.NONE;
            }

            @Override
            public void close() {
            }
        }, gauges, guardEvents);
    }

    private CbvRuntime(Engines engines, GaugeRegistry gauges, GuardEvents guardEvents) {
        this.engines = engines;
        this.gauges = gauges;
        this.guardEvents = guardEvents;
    }

    /**
     * An engine with these settings on the process's shared threads and clients. Started at
     * configuration time, so that a setting the engine refuses stops James at start.
     */
    public synchronized Verifier engine(VerifierSettings settings) {
        if (closed) {
            throw new IllegalStateException("the callback verification runtime is closed");
        }
        return engines.engine(settings);
    }

    /**
     * {@code engine} behind the process's protections, configuring them if no one has yet.
     *
     * @param who names the configuration in the warning about a conflicting one
     */
    public synchronized GuardedVerifier protect(Verifier engine, Duration admissionWait, CacheSettings cacheWanted,
                                                LimitSettings limitsWanted, String who) {
        return protect(engine, admissionWait, cacheWanted, Optional.empty(), limitsWanted, who);
    }

    /**
     * As above, the memory in Redis when {@code redisWanted} is given.
     *
     * @param admissionWait how long a request may wait for a slot; a callback is also bounded by
     *                      it (its total timeout), so that twice this is the longest a claimed
     *                      callback may take, which another node waits for before calling back itself
     */
    public synchronized GuardedVerifier protect(Verifier engine, Duration admissionWait, CacheSettings cacheWanted,
                                                Optional<RedisSettings> redisWanted, LimitSettings limitsWanted,
                                                String who) {
        return protect(engine, admissionWait, cacheWanted, redisWanted, limitsWanted, ReuseSettings.DEFAULTS, who);
    }

    /**
     * As above, the process's probe connections kept as {@code reuseWanted} says, and bounded per
     * called-back domain by the limits' {@code perDomainConcurrent}, busy or idle.
     */
    public synchronized GuardedVerifier protect(Verifier engine, Duration admissionWait, CacheSettings cacheWanted,
                                                Optional<RedisSettings> redisWanted, LimitSettings limitsWanted,
                                                ReuseSettings reuseWanted, String who) {
        configure(cacheWanted, redisWanted, limitsWanted, reuseWanted, admissionWait.multipliedBy(2), who);
        return protections.guard(engine, admissionWait, guardEvents);
    }

    /** {@code engine} behind the process's protections as the handlers configured them, else the defaults. */
    public synchronized GuardedVerifier join(Verifier engine, Duration admissionWait, String who) {
        return protections(who).guard(engine, admissionWait, guardEvents);
    }

    /**
     * Offers what the WebAdmin routes need to act as {@code who} would; the first offer is kept
     * (like the first handler's cache and limits), a later one only noted.
     */
    synchronized void offerOperators(OperatorAccess access, String who) {
        if (operators == null) {
            operators = access;
            operatorsFrom = who;
            LOG.info("{}: WebAdmin's /cbv routes verify with its settings and map", who);
        } else {
            LOG.info("{}: WebAdmin's /cbv routes keep the settings and map of {}", who, operatorsFrom);
        }
    }

    /**
     * The probe connections' counts now (open, idle, reused); none before the first probe starts the
     * engine's threads. Not under the runtime's lock: a scrape never waits for a configuration.
     */
    public ConnectionCounts connections() {
        return engines.connections();
    }

    /** What the first handler registered for the WebAdmin routes; empty when no handler is configured (yet). */
    public synchronized Optional<OperatorAccess> operators() {
        return Optional.ofNullable(operators);
    }

    /**
     * The process's protections as the handlers configured them, else the defaults: for whatever
     * reads or forgets what the memory holds (a WebAdmin route) rather than verifying.
     */
    public synchronized Protections protections(String who) {
        if (protections == null) {
            LOG.info("{}: no handler configured the shared verdict cache and limits; they get the defaults", who);
            configure(CacheSettings.DEFAULTS, Optional.empty(), LimitSettings.DEFAULTS, ReuseSettings.DEFAULTS,
                VerifierSettings.DEFAULT_TOTAL_TIMEOUT.multipliedBy(2), who + " (defaults)");
        }
        return protections;
    }

    private void configure(CacheSettings cacheWanted, Optional<RedisSettings> redisWanted, LimitSettings limitsWanted,
                           ReuseSettings reuseWanted, Duration callbackBound, String who) {
        if (closed) {
            throw new IllegalStateException("the callback verification runtime is closed");
        }
        if (protections == null) {
            cacheSettings = cacheWanted;
            redisSettings = redisWanted;
            limitSettings = limitsWanted;
            reuseSettings = reuseWanted;
            configuredBy = who;
            // One pool for the process: its domain bound is the domain's, idle connections included.
            engines.reuse(reuseWanted, limitsWanted.perDomainConcurrent());
            LOG.info("{}: probe connections {}", who, reuseWanted.enabled()
                ? "kept between probes (" + reuseWanted + "), at most " + limitsWanted.perDomainConcurrent()
                    + " open to one domain on this node" : "not kept: each probe has its own");
            protections = redisWanted.isPresent()
                ? RedisProtections.start(cacheWanted, limitsWanted, redisWanted.get(), callbackBound)
                : InMemoryProtections.start(cacheWanted, limitsWanted);
            LOG.info("{}: verdict cache, callbacks in flight and remote limits {}", who, redisWanted
                .map(r -> "shared through Redis (" + r + "); maxConcurrent and maxQueued per node")
                .orElse("in this process's memory"));
            ProtectionGauges.register(gauges, protections);
            ProtectionGauges.registerConnections(gauges, this::connections);
        } else if (!cacheSettings.equals(cacheWanted) || !limitSettings.equals(limitsWanted)
            || !reuseSettings.equals(reuseWanted) || !redisSettings.equals(redisWanted) && redisWanted.isPresent()) {
            LOG.warn("{}: the verdict cache, limits and connection reuse are shared by the whole James process and "
                + "were already configured by {} as cache=[{}] store=[{}] limits=[{}] reuse=[{}]; this configuration's "
                + "cache=[{}] store=[{}] limits=[{}] reuse=[{}] is ignored", who, configuredBy, cacheSettings,
                store(redisSettings), limitSettings, reuseSettings, cacheWanted, store(redisWanted), limitsWanted,
                reuseWanted);
        }
    }

    private static String store(Optional<RedisSettings> redis) {
        return redis.map(r -> "redis " + r).orElse("memory");
    }

    /** Stops the limits' timer and the engine's threads; called by James when it stops. Idempotent. */
    @PreDestroy
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (protections != null) {
            protections.close();
        }
        try {
            engines.close();
        } catch (RuntimeException e) {
            LOG.warn("stopping the verification engine failed: {}", e.toString());
        }
    }

    /** The real engines: one {@link EngineResources} for the process, started at the first engine asked for. */
    private static final class SharedEngines implements Engines {
        private EngineResources resources;
        /** Kept for resources started later: a mailet may start them before the first handler configures reuse. */
        private ReuseSettings reuse = ReuseSettings.OFF;
        private int connectionsPerDomain;

        @Override
        public synchronized Verifier engine(VerifierSettings settings) {
            if (resources == null) {
                resources = EngineResources.start(VerifierSettings.DEFAULT_IO_THREADS);
                resources.reuse(reuse, connectionsPerDomain);
            }
            return resources.verifier(settings);
        }

        @Override
        public synchronized void reuse(ReuseSettings wanted, int perDomain) {
            reuse = wanted;
            connectionsPerDomain = perDomain;
            if (resources != null) {
                resources.reuse(wanted, perDomain);
            }
        }

        @Override
        public synchronized ConnectionCounts connections() {
            return resources == null ? ConnectionCounts.NONE : resources.connections();
        }

        @Override
        public synchronized void close() {
            if (resources != null) {
                resources.close();
            }
        }
    }
}
