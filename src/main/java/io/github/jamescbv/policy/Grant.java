package io.github.jamescbv.policy;

import java.util.concurrent.atomic.AtomicBoolean;

/** A granted {@link Admission} whose first release gives back what it holds, and later ones nothing. */
public abstract class Grant implements Admission {
    private final AtomicBoolean released = new AtomicBoolean();

    @Override
    public final boolean granted() {
        return true;
    }

    @Override
    public final String reason() {
        return "";
    }

    @Override
    public final void release() {
        if (released.compareAndSet(false, true)) {
            giveBack();
        }
    }

    /** Runs once, at the first release. */
    protected abstract void giveBack();

    @Override
    public String toString() {
        return released.get() ? "granted, released" : "granted";
    }
}
