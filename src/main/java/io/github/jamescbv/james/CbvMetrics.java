package io.github.jamescbv.james;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Verdict;
import java.util.EnumMap;
import java.util.Map;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;

/**
 * The handler's metrics, published through James's {@link MetricFactory} so that they appear
 * wherever James's own do (JMX, the WebAdmin metrics route, Prometheus exporters).
 */
final class CbvMetrics {
    static final String VERIFICATIONS_PREFIX = "smtp_cbv_verifications_";
    static final String LATENCY = "smtp_cbv_verification_latency";
    static final String IN_FLIGHT = "smtp_cbv_in_flight";
    static final String REPLIES_HELD = "smtp_cbv_replies_held";
    static final String HOLDS_EXPIRED = "smtp_cbv_replies_held_expired";
    static final String HOLDS_ABANDONED = "smtp_cbv_replies_held_client_gone";
    static final String BLOCKING_WAITS = "smtp_cbv_blocking_waits";
    static final String RCPT_REJECTED = "smtp_cbv_rcpt_rejected";
    static final String RCPT_DEFERRED = "smtp_cbv_rcpt_deferred";
    static final String RCPT_WOULD_REJECT = "smtp_cbv_rcpt_would_reject";

    private final MetricFactory factory;
    private final Map<Result, Metric> byResult = new EnumMap<>(Result.class);
    private final Metric inFlight;
    private final Metric held;
    private final Metric holdsExpired;
    private final Metric holdsAbandoned;
    private final Metric blockingWaits;
    private final Metric rcptRejected;
    private final Metric rcptDeferred;
    private final Metric rcptWouldReject;

    CbvMetrics(MetricFactory factory) {
        this.factory = factory;
        for (Result r : Result.values()) {
            byResult.put(r, factory.generate(VERIFICATIONS_PREFIX + r.word()));
        }
        this.inFlight = factory.generate(IN_FLIGHT);
        this.held = factory.generate(REPLIES_HELD);
        this.holdsExpired = factory.generate(HOLDS_EXPIRED);
        this.holdsAbandoned = factory.generate(HOLDS_ABANDONED);
        this.blockingWaits = factory.generate(BLOCKING_WAITS);
        this.rcptRejected = factory.generate(RCPT_REJECTED);
        this.rcptDeferred = factory.generate(RCPT_DEFERRED);
        this.rcptWouldReject = factory.generate(RCPT_WOULD_REJECT);
    }

    /** Called when a callback starts; the returned timer is handed back to {@link #finished}. */
    TimeMetric started() {
        inFlight.increment();
        return factory.timer(LATENCY);
    }

    void finished(Verdict verdict, TimeMetric timer) {
        inFlight.decrement();
        timer.stopAndPublish();
        counted(verdict);
    }

    /** A verdict reached without a callback (unverifiable address, internal failure). */
    void counted(Verdict verdict) {
        byResult.get(verdict.result()).increment();
    }

    void replyHeld() {
        held.increment();
    }

    void holdExpired() {
        holdsExpired.increment();
    }

    void holdAbandoned() {
        holdsAbandoned.increment();
    }

    void blockingWait() {
        blockingWaits.increment();
    }

    /** A transaction refused with 550 at RCPT TO (counted once, whatever its number of recipients). */
    void rcptRejected() {
        rcptRejected.increment();
    }

    /** A transaction answered 450 at RCPT TO. */
    void rcptDeferred() {
        rcptDeferred.increment();
    }

    /** Action warn: a transaction that reject would have refused. */
    void rcptWouldReject() {
        rcptWouldReject.increment();
    }
}
