package io.github.jamescbv.james;

import io.github.jamescbv.verify.Verifier;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.NoopGaugeRegistry;

/** For tests outside this package (the WebAdmin routes): a runtime on a fake engine, and a handler configured on it. */
public final class OperatorTesting {
    private OperatorTesting() {
    }

    /** A runtime whose every engine is {@code engine}, its guards counting into {@code metrics}. */
    public static CbvRuntime runtime(Verifier engine, MetricFactory metrics) {
        return new CbvRuntime(settings -> engine, new NoopGaugeRegistry(), metrics);
    }

    /** A handler configured with the body of its {@code <handler>} element, which registers itself for operators. */
    public static CallbackVerifyHandler handler(CbvRuntime runtime, MetricFactory metrics, String config) throws Exception {
        CallbackVerifyHandler h = new CallbackVerifyHandler(new CallbackVerifyHandlerTest.FakeDomains(false), metrics, runtime);
        h.init(HandlerConfigTest.parse(config), ChannelAccess.unavailable("unit test"));
        return h;
    }
}
