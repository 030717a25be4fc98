package io.github.jamescbv.store.shared;

import java.time.Duration;

/**
 * How long a shared store may take before this node answers from its own memory and limits,
 * and how often a degraded node looks whether the shared store answers again.
 */
public final class FailoverBounds {
    /** A Redis call answers in about a millisecond on a LAN; one that takes this long is not coming. */
    public static final Duration DEFAULT_CALL_BOUND = Duration.ofMillis(500);
    /** At most one probe of a degraded shared store this often: it is never hammered. */
    public static final Duration DEFAULT_PROBE_EVERY = Duration.ofSeconds(5);
    /**
     * The longest a claim on the shared store may be waited for when another node is already
     * calling the address back: that node's callback time (its total timeout) plus a margin.
     */
    public static final Duration DEFAULT_JOIN_BOUND = Duration.ofSeconds(90);
    public static final FailoverBounds DEFAULTS = new FailoverBounds(DEFAULT_CALL_BOUND, DEFAULT_PROBE_EVERY, DEFAULT_JOIN_BOUND);

    private final Duration callBound;
    private final Duration probeEvery;
    private final Duration joinBound;

    /** @throws IllegalArgumentException naming the value when one is not positive */
    public FailoverBounds(Duration callBound, Duration probeEvery, Duration joinBound) {
        this.callBound = positive(callBound, "callBound");
        this.probeEvery = positive(probeEvery, "probeEvery");
        this.joinBound = positive(joinBound, "joinBound");
    }

    /** The longest one call of the shared store may take (a lookup, a write, a client charge). */
    public Duration callBound() {
        return callBound;
    }

    public Duration probeEvery() {
        return probeEvery;
    }

    /** The longest a callback claim or a domain slot may be waited for beyond the caller's own deadline. */
    public Duration joinBound() {
        return joinBound;
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("bad " + name + " '" + d + "' (must be more than 0)");
        }
        return d;
    }

    @Override
    public String toString() {
        return "callBound=" + callBound + " probeEvery=" + probeEvery + " joinBound=" + joinBound;
    }
}
