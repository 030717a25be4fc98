package io.github.jamescbv.dns;

import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.core.Durations;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Name;
import org.xbill.DNS.lookup.LookupSession;

/**
 * One lookup at a time, asynchronous, bounded by a deadline, never failing: dnsjava's
 * {@link LookupSession} (which follows CNAME chains) under our own timer.
 *
 * <p>The deadline is needed although the resolver under the session has its own budget: a
 * CNAME chain is several queries, each with the full budget. Outcomes complete on the
 * resolver's event loops, where the transport completes the queries.
 */
final class Lookups {
    private final LookupSession session;
    private final ScheduledExecutorService scheduler;
    private final Duration timeout;

    Lookups(LookupSession session, ScheduledExecutorService scheduler, Duration timeout) {
        this.session = session;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    /** Completes within {@code timeout} (plus scheduling), never exceptionally. */
    CompletableFuture<LookupOutcome> lookup(Name name, int type) {
        CompletableFuture<LookupOutcome> out = new CompletableFuture<>();
        ScheduledFuture<?> deadline = scheduler.schedule(
            () -> out.complete(LookupOutcome.failed(name, type, DnsFailure.TIMEOUT,
                "timeout: no answer within " + Durations.format(timeout))),
            timeout.toNanos(), TimeUnit.NANOSECONDS);
        out.whenComplete((o, t) -> deadline.cancel(false));
        try {
            session.lookupAsync(name, type)
                .whenComplete((result, error) -> out.complete(LookupOutcome.of(name, type, result, error)));
        } catch (RuntimeException e) {
            out.complete(LookupOutcome.failed(name, type, DnsFailure.OTHER, "internal: " + e));
        }
        return out;
    }
}
