package io.github.jamescbv.policy;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A granted {@link RemoteBudgets.DomainLease}, whatever keeps its budget: the start and the release
 * race (a callback may be abandoned at the moment it starts), and whichever comes first settles
 * the rate tokens. A release that wins gives them back with the slot; a start that wins makes them
 * count, and the later release gives back the slot alone.
 */
public abstract class GrantedDomainLease extends Grant implements RemoteBudgets.DomainLease {
    private final long expiresAtMillis;
    private final AtomicBoolean settled = new AtomicBoolean();

    protected GrantedDomainLease(long expiresAtMillis) {
        this.expiresAtMillis = expiresAtMillis;
    }

    @Override
    public final long expiresAtMillis() {
        return expiresAtMillis;
    }

    @Override
    public final void started() {
        if (settled.compareAndSet(false, true)) {
            recordStart();
        }
    }

    @Override
    protected final void giveBack() {
        giveBack(!settled.compareAndSet(false, true));
    }

    /** The callback started before any release: its tokens count from now. Once. */
    protected abstract void recordStart();

    /** Once, at the first release; {@code started}: whether the tokens were already counted as used. */
    protected abstract void giveBack(boolean started);
}
