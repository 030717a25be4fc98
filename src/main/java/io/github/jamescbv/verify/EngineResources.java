package io.github.jamescbv.verify;

import io.github.jamescbv.core.DaemonScheduler;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.dns.DnsjavaMxResolver;
import io.github.jamescbv.dns.MxResolver;
import io.github.jamescbv.smtp.ConnectionCounts;
import io.github.jamescbv.smtp.NettyProbeClient;
import io.github.jamescbv.smtp.ReuseSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads and clients of the engine that a process has once, whatever number of
 * {@link CallbackVerifier}s (one per handler, one per mailet, each with its own HELO name,
 * timeouts and map) it runs: the SMTP event loops, the timer of the total-timeout safety nets,
 * and a DNS resolver per DNS configuration (most processes have one). Sharing them is what lets
 * a later connection cache see every probe of the process, and keeps the thread count flat
 * when an administrator adds a second {@code <smtpserver>}.
 *
 * <p>Thread-safe. {@link #close()} stops them all; verifiers built on them stop working then.
 */
public final class EngineResources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineResources.class);

    private final NettyProbeClient probes;
    private final DaemonScheduler timer;
    private final Map<List<Object>, DnsjavaMxResolver> resolvers = new LinkedHashMap<>();
    private boolean closed;

    private EngineResources(NettyProbeClient probes, DaemonScheduler timer) {
        this.probes = probes;
        this.timer = timer;
    }

    /** @param ioThreads the SMTP event loop threads all probes share */
    public static EngineResources start(int ioThreads) {
        NettyProbeClient probes = new NettyProbeClient(ioThreads);
        return new EngineResources(probes, new DaemonScheduler("cbv-timer"));
    }

    /**
     * An engine with {@code settings} on these resources; closing it leaves the resources running.
     *
     * @throws IllegalArgumentException when the settings' DNS servers cannot be used
     */
    public CallbackVerifier verifier(VerifierSettings settings) {
        return new CallbackVerifier(settings, resolver(settings), probes,
            new TargetAddressGuard(settings.allowPrivateTargets(), settings.allowTargetNetworks()), Ticker.SYSTEM, timer,
            List.of());
    }

    /**
     * Keeps probe connections between probes as {@code reuse} says, in the process's one pool, and
     * bounds the connections open to one called-back domain, busy or idle.
     *
     * @param connectionsPerDomain at most this many open to one domain (the limits' perDomainConcurrent); 0: no bound
     */
    public void reuse(ReuseSettings reuse, int connectionsPerDomain) {
        probes.reuse(reuse, connectionsPerDomain);
    }

    /** The probe connections' counts, read live (gauges, stats). */
    public ConnectionCounts connections() {
        return probes;
    }

    /** The resolver for the settings' DNS servers and timeout, made at the first request for them. */
    private synchronized MxResolver resolver(VerifierSettings settings) {
        if (closed) {
            throw new IllegalStateException("the verification engine is closed");
        }
        Duration timeout = min(settings.dnsTimeout(), settings.totalTimeout());
        return resolvers.computeIfAbsent(List.of(settings.dnsServers(), timeout),
            k -> new DnsjavaMxResolver(settings.dnsServers(), timeout));
    }

    /** Stops the event loops, the resolvers' threads and the timer. Idempotent. */
    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all.addAll(resolvers.values());
        }
        all.add(probes);
        all.add(timer);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
