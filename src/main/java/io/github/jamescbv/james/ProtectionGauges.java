package io.github.jamescbv.james;

import io.github.jamescbv.policy.Protections;
import io.github.jamescbv.policy.SharedStoreHealth;
import io.github.jamescbv.smtp.ConnectionCounts;
import java.util.function.Supplier;
import org.apache.james.metrics.api.Gauge;
import org.apache.james.metrics.api.GaugeRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protections' gauges, where James reads its own (JMX, the metrics route): the callbacks
 * this node runs and makes wait, the entries of a verdict memory held in this process, and
 * the health of each store shared with other nodes; and the probe connections open, idle and reused.
 */
final class ProtectionGauges {
    static final String IN_FLIGHT = "smtp_cbv_callbacks_in_flight";
    static final String QUEUED = "smtp_cbv_callbacks_queued";
    static final String WAITING_FOR_DOMAIN = "smtp_cbv_callbacks_waiting_for_domain";
    static final String CACHE_ENTRIES = "smtp_cbv_cache_entries";
    /** Metric names of a shared store's health: {@code smtp_cbv_shared_verdicts_up} and so on. */
    static final String SHARED_PREFIX = "smtp_cbv_shared_";
    static final String CONNECTIONS_OPEN = "smtp_cbv_connections_open";
    static final String CONNECTIONS_IDLE = "smtp_cbv_connections_idle";
    static final String CONNECTIONS_REUSED = "smtp_cbv_connections_reused";

    private static final Logger LOG = LoggerFactory.getLogger(ProtectionGauges.class);

    private ProtectionGauges() {
    }

    static void register(GaugeRegistry gauges, Protections protections) {
        register(gauges, IN_FLIGHT, () -> protections.capacity().inFlight());
        register(gauges, QUEUED, () -> protections.capacity().queued());
        register(gauges, WAITING_FOR_DOMAIN, () -> protections.budgets().waiting());
        if (protections.sharedStores().isEmpty()) {
            // Counted at once in this process's memory; a shared store would walk its keys on every scrape.
            register(gauges, CACHE_ENTRIES, () -> protections.memory().size().toCompletableFuture().getNow(-1L));
        }
        for (SharedStoreHealth store : protections.sharedStores()) {
            String prefix = SHARED_PREFIX + store.holds();
            register(gauges, prefix + "_up", () -> store.shared() ? 1 : 0);
            register(gauges, prefix + "_fallbacks", store::fallbacks);
            register(gauges, prefix + "_recoveries", store::recoveries);
        }
    }

    /**
     * The probe connections' gauges. The reused count is the pool's own, read like the shared
     * stores' fallbacks: a gauge that only grows, with no metric call on the I/O thread.
     */
    static void registerConnections(GaugeRegistry gauges, Supplier<ConnectionCounts> connections) {
        register(gauges, CONNECTIONS_OPEN, () -> connections.get().openConnections());
        register(gauges, CONNECTIONS_IDLE, () -> connections.get().idleConnections());
        register(gauges, CONNECTIONS_REUSED, () -> connections.get().reusedConnections());
    }

    private static <T> void register(GaugeRegistry gauges, String name, Gauge<T> gauge) {
        try {
            gauges.register(name, gauge);
        } catch (RuntimeException e) {
            // A registry that already holds the name (a second runtime in one test JVM) costs the gauge, not the start.
            LOG.debug("gauge {} not registered: {}", name, e.toString());
        }
    }
}
