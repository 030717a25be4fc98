package io.github.jamescbv.webadmin;

import io.github.jamescbv.james.CbvCounts;
import io.github.jamescbv.james.CbvRuntime;
import java.time.Clock;
import javax.inject.Inject;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.webadmin.Routes;
import spark.Service;

/**
 * The WebAdmin routes of james-smtp-cbv, loaded the James way: listed in {@code webadmin.properties},
 *
 * <pre>extensions.routes=io.github.jamescbv.webadmin.CbvRoutes</pre>
 *
 * and built by James's extension loader, which gives them the same {@link CbvRuntime} as the SMTP
 * handlers and the mailets: one verdict memory, one table of callbacks in flight, one set of limits.
 * Not a {@code PublicRoutes}: WebAdmin's authentication (its JWT when enabled) guards them as it
 * guards James's own.
 *
 * <ul>
 *   <li>{@code POST /cbv/verdicts/{address}[?dialog=true]}: verify now, as the handler would.</li>
 *   <li>{@code GET /cbv/verdicts/{address}}: the verdict held for it and until when.</li>
 *   <li>{@code DELETE /cbv/verdicts/{address}}, {@code DELETE /cbv/verdicts?domain=D}: forget.</li>
 *   <li>{@code GET /cbv/stats}: cache, callbacks, verdicts, refusals and probe connections.</li>
 * </ul>
 * JSON out; errors in James's shape. Without a configured {@code CallbackVerifyHandler} every route
 * answers 409.
 */
public class CbvRoutes implements Routes {
    public static final String BASE = "/cbv";
    static final String VERDICTS = BASE + "/verdicts";
    static final String STATS = BASE + "/stats";

    private final VerdictRequests verdicts;
    private final StatsRequest stats;

    @Inject
    public CbvRoutes(CbvRuntime runtime, MetricFactory metrics) {
        this.verdicts = new VerdictRequests(runtime, Clock.systemUTC());
        this.stats = new StatsRequest(runtime, new CbvCounts(metrics));
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        // After WebAdmin's authentication filter, which James registered before calling us.
        service.before(VERDICTS + "/*", new EncodedPath());
        String oneAddress = VERDICTS + "/" + AddressParameter.NAME;
        service.post(oneAddress, RouteErrors.safely(verdicts::verify));
        service.get(oneAddress, RouteErrors.safely(verdicts::read));
        service.delete(oneAddress, RouteErrors.safely(verdicts::forget));
        service.delete(VERDICTS, RouteErrors.safely(verdicts::forgetDomain));
        service.get(STATS, RouteErrors.safely(stats::answer));
    }
}
