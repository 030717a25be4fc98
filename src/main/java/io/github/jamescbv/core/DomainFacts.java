package io.github.jamescbv.core;

/**
 * What is already known about the domain called back when a verification starts, so that the
 * engine need not ask it again: today, that it accepts every local part (a catch-all domain,
 * remembered for the pass lifetime of the verdict cache). Immutable.
 */
public final class DomainFacts {
    /** Nothing known. */
    public static final DomainFacts NONE = new DomainFacts(false);
    /** The domain accepted a random local part in an earlier verification. */
    public static final DomainFacts ACCEPTS_ALL = new DomainFacts(true);

    private final boolean acceptsAll;

    private DomainFacts(boolean acceptsAll) {
        this.acceptsAll = acceptsAll;
    }

    public boolean acceptsAll() {
        return acceptsAll;
    }

    @Override
    public String toString() {
        return acceptsAll ? "acceptsAll" : "none";
    }
}
