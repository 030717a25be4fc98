package io.github.jamescbv.james;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.GuardedVerifier;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.Protections;
import io.github.jamescbv.store.memory.InMemoryProtections;
import io.github.jamescbv.verify.EngineResources;
import io.github.jamescbv.verify.Verifier;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.function.Function;
import javax.annotation.PreDestroy;
import javax.inject.Singleton;
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
 * <p>Handlers configure the memory: the first handler's cache and limit settings are taken, a
 * later different configuration is reported and ignored. A mailet only joins, and James 3.8.1
 * initialises the mailet container before the SMTP servers: so a mailet's protections are
 * resolved at its first use, by which time the handlers have given theirs (the defaults if none
 * did).
 */
@Singleton
public class CbvRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CbvRuntime.class);

    /** Where engines come from: the process's shared resources, or a fake in unit tests. */
    private interface Engines extends AutoCloseable {
        /** @throws IllegalArgumentException when the settings cannot be used (a DNS server that does not resolve) */
        Verifier engine(VerifierSettings settings);

        @Override
        void close();
    }

    private final Engines engines;
    private CacheSettings cacheSettings;
    private LimitSettings limitSettings;
    private String configuredBy;
    private Protections protections;
    private boolean closed;

    /** The real engines, on resources started at the first request (a James without our handler starts no thread). */
    public CbvRuntime() {
        this(new SharedEngines());
    }

    /** With engines of the caller's that need no closing (unit tests: a fake engine). */
    CbvRuntime(Function<VerifierSettings, Verifier> engines) {
        this(new Engines() {
            @Override
            public Verifier engine(VerifierSettings settings) {
                return engines.apply(settings);
            }

            @Override
            public void close() {
            }
        });
    }

    private CbvRuntime(Engines engines) {
        this.engines = engines;
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
        configure(cacheWanted, limitsWanted, who);
        return protections.guard(engine, admissionWait);
    }

    /** {@code engine} behind the process's protections as the handlers configured them, else the defaults. */
    public synchronized GuardedVerifier join(Verifier engine, Duration admissionWait, String who) {
        return protections(who).guard(engine, admissionWait);
    }

    /**
     * The process's protections as the handlers configured them, else the defaults: for whatever
     * reads or forgets what the memory holds (a WebAdmin route) rather than verifying.
     */
    public synchronized Protections protections(String who) {
        if (protections == null) {
            LOG.info("{}: no handler configured the shared verdict cache and limits; they get the defaults", who);
            configure(CacheSettings.DEFAULTS, LimitSettings.DEFAULTS, who + " (defaults)");
        }
        return protections;
    }

    private void configure(CacheSettings cacheWanted, LimitSettings limitsWanted, String who) {
        if (closed) {
            throw new IllegalStateException("the callback verification runtime is closed");
        }
        if (protections == null) {
            cacheSettings = cacheWanted;
            limitSettings = limitsWanted;
            configuredBy = who;
            protections = InMemoryProtections.start(cacheWanted, limitsWanted);
        } else if (!cacheSettings.equals(cacheWanted) || !limitSettings.equals(limitsWanted)) {
            LOG.warn("{}: the verdict cache and limits are shared by the whole James process and were already "
                + "configured by {} as cache=[{}] limits=[{}]; this configuration's cache=[{}] limits=[{}] is ignored",
                who, configuredBy, cacheSettings, limitSettings, cacheWanted, limitsWanted);
        }
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

        @Override
        public synchronized Verifier engine(VerifierSettings settings) {
            if (resources == null) {
                resources = EngineResources.start(VerifierSettings.DEFAULT_IO_THREADS);
            }
            return resources.verifier(settings);
        }

        @Override
        public synchronized void close() {
            if (resources != null) {
                resources.close();
            }
        }
    }
}
