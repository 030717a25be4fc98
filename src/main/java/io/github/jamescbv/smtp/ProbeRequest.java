package io.github.jamescbv.smtp;

import io.github.jamescbv.core.DialogListener;
import java.util.Objects;

/**
 * One probe: the {@link Route} of its connection, the {@link ProbeQuery} it asks, the
 * {@link ProbeLimits} of the attempt, and who hears the dialog.
 */
public final class ProbeRequest {
    private final Route route;
    private final ProbeQuery query;
    private final ProbeLimits limits;
    private final DialogListener listener;

    /** @param listener receives the dialog, one line per event; {@link DialogListener#NONE} to ignore */
    public ProbeRequest(Route route, ProbeQuery query, ProbeLimits limits, DialogListener listener) {
        this.route = Objects.requireNonNull(route, "route");
        this.query = Objects.requireNonNull(query, "query");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public Route route() { return route; }
    public ProbeQuery query() { return query; }
    public ProbeLimits limits() { return limits; }
    public DialogListener listener() { return listener; }

    /** The same probe over another route (the same query, limits and deadline, the same listener). */
    ProbeRequest withRoute(Route other) {
        return new ProbeRequest(other, query, limits, listener);
    }
}
