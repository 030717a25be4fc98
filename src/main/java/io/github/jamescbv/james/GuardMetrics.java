package io.github.jamescbv.james;

import io.github.jamescbv.policy.GuardEvents;
import io.github.jamescbv.policy.Limit;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;

/**
 * What the guards of the process count ({@link GuardEvents}), as counters of James's
 * {@link MetricFactory}: JMX and the metrics route show them, and the WebAdmin statistics read
 * them back from there ({@link CbvCounts}), so that both always say the same.
 */
final class GuardMetrics implements GuardEvents {
    static final String HITS = "smtp_cbv_cache_hits";
    static final String MISSES = "smtp_cbv_cache_misses";
    static final String JOINED = "smtp_cbv_callbacks_joined";
    /** Followed by the limit in snake case: {@code smtp_cbv_refused_domain_rate}. */
    static final String REFUSED_PREFIX = "smtp_cbv_refused_";

    private final Metric hits;
    private final Metric misses;
    private final Metric joined;
    private final Map<Limit, Metric> refused = new EnumMap<>(Limit.class);

    GuardMetrics(MetricFactory factory) {
        this.hits = factory.generate(HITS);
        this.misses = factory.generate(MISSES);
        this.joined = factory.generate(JOINED);
        for (Limit limit : Limit.values()) {
            refused.put(limit, factory.generate(refusedName(limit)));
        }
    }

    /** {@code smtp_cbv_refused_client_rate}, {@code ..._domain_concurrency}, {@code ..._capacity}... */
    static String refusedName(Limit limit) {
        return REFUSED_PREFIX + limit.word().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    @Override
    public void hit() {
        hits.increment();
    }

    @Override
    public void miss() {
        misses.increment();
    }

    @Override
    public void joined() {
        joined.increment();
    }

    @Override
    public void refused(Limit limit) {
        refused.get(limit).increment();
    }
}
