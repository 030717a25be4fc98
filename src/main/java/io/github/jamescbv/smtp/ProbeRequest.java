package io.github.jamescbv.smtp;

import io.github.jamescbv.core.DialogListener;
import java.util.Locale;
import java.util.Objects;

/**
 * One probe: the {@link Route} of its connection, the {@link ProbeQuery} it asks, the
 * {@link ProbeLimits} of the attempt, who hears the dialog, and the domain called back, which
 * the connections open for it are counted against ({@link ConnectionPool}).
 */
public final class ProbeRequest {
    private final Route route;
    private final ProbeQuery query;
    private final ProbeLimits limits;
    private final DialogListener listener;
    private final String domain;

    /** A probe for the domain of its recipient. */
    public ProbeRequest(Route route, ProbeQuery query, ProbeLimits limits, DialogListener listener) {
        this(route, query, limits, listener, query.recipient().domain());
    }

    /**
     * @param listener receives the dialog, one line per event; {@link DialogListener#NONE} to ignore
     * @param domain   the domain called back (after the domain map), whose connections the pool bounds
     */
    public ProbeRequest(Route route, ProbeQuery query, ProbeLimits limits, DialogListener listener, String domain) {
        this.route = Objects.requireNonNull(route, "route");
        this.query = Objects.requireNonNull(query, "query");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.domain = Objects.requireNonNull(domain, "domain").toLowerCase(Locale.ROOT);
    }

    public Route route() { return route; }
    public ProbeQuery query() { return query; }
    public ProbeLimits limits() { return limits; }
    public DialogListener listener() { return listener; }
    public String domain() { return domain; }

    /** The same probe over another route (the same query, limits and deadline, the same listener). */
    ProbeRequest withRoute(Route other) {
        return new ProbeRequest(other, query, limits, listener, domain);
    }
}
