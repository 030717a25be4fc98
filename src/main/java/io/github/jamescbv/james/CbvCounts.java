package io.github.jamescbv.james;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.policy.Limit;
import org.apache.james.metrics.api.MetricFactory;

/**
 * The process's counts, read back from James's {@link MetricFactory}, where the handlers,
 * mailets and guards count them ({@link CbvMetrics}, {@link GuardMetrics}): the numbers the
 * WebAdmin statistics answer are the ones JMX and Prometheus show. Counted since James started.
 */
public final class CbvCounts {
    private final MetricFactory factory;

    public CbvCounts(MetricFactory factory) {
        this.factory = factory;
    }

    /** Verifications that ended with {@code result}: by the handlers, the mailets and WebAdmin, from memory or not. */
    public long verdicts(Result result) {
        return count(CbvMetrics.VERIFICATIONS_PREFIX + result.word());
    }

    /** Requests answered from the verdict memory. */
    public long hits() {
        return count(GuardMetrics.HITS);
    }

    /** Requests that found nothing in memory and claimed a callback. */
    public long misses() {
        return count(GuardMetrics.MISSES);
    }

    /** Requests that found nothing in memory and joined a callback in flight. */
    public long joined() {
        return count(GuardMetrics.JOINED);
    }

    /** Callbacks refused by {@code limit}. */
    public long refused(Limit limit) {
        return count(GuardMetrics.refusedName(limit));
    }

    private long count(String name) {
        return factory.generate(name).getCount();
    }
}
