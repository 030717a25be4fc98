package io.github.jamescbv.bench;

import javax.inject.Inject;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.utils.GuiceProbe;

/**
 * How many verdicts of one result the handler has counted (its {@code smtp_cbv_verifications_*}
 * metrics: one per verification, from the cache or from a callback). With the fast MX's count
 * of connections it tells the benchmark that, in the warm-cache mode, every transaction was
 * verified and every verdict came from the cache.
 */
public class VerdictCountProbe implements GuiceProbe {
    /** The handler's metric names: CbvMetrics.VERIFICATIONS_PREFIX and the result's word. */
    private static final String PREFIX = "smtp_cbv_verifications_";

    private final MetricFactory metrics;

    @Inject
    public VerdictCountProbe(MetricFactory metrics) {
        this.metrics = metrics;
    }

    /** @param result {@code pass}, {@code error} or {@code transient} */
    public long count(String result) {
        return metrics.generate(PREFIX + result).getCount();
    }
}
