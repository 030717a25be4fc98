package io.github.jamescbv.store.memory;

import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.policy.Limit;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * What one remote domain may still take from us: at most {@code maxInFlight} callbacks at once
 * and at most {@code limit} probes charged in any minute ({@link StartWindow}), with a FIFO line of
 * requests waiting for either. Each request weighs the probes its callback may send. A
 * LinkedHashSet keeps arrival order and lets a request whose deadline passes leave from the
 * middle in O(1).
 *
 * <p>"In flight" counts from the moment a request takes its domain slot, which is before it
 * gets a process-wide slot: the domain never sees more than {@code maxInFlight} connections
 * from us either way, and the count is what the refusal reason reports.
 *
 * <p>Not thread-safe: guarded by the lock of {@link InMemoryBudgets}.
 *
 * @param <W> the waiting request
 */
final class DomainGate<W extends DomainGate.Waiter> {
    /** A request in the line: what it weighs on the rate. */
    interface Waiter {
        /** The probes its callback is charged, 1 to the rate. */
        int probes();
    }


    private final String key;
    private final String name;
    private final int maxInFlight;
    private final StartWindow starts;
    private final LinkedHashSet<W> waiters = new LinkedHashSet<>();
    private int inFlight;
    private Scheduler.Cancellable wakeTimer;
    private long wakeAt;

    /**
     * @param key  the map key (lower case)
     * @param name the domain as it may appear in a reason or a log line (already sanitised)
     */
    DomainGate(String key, String name, int maxInFlight, int ratePerWindow, long windowNanos) {
        this.key = key;
        this.name = name;
        this.maxInFlight = maxInFlight;
        this.starts = new StartWindow(ratePerWindow, windowNanos);
    }

    String key() {
        return key;
    }

    /** A slot and {@code probes} rate tokens are free now (whoever waits aside). */
    boolean canStart(long now, int probes) {
        starts.expire(now);
        return inFlight < maxInFlight && starts.hasRoom(probes);
    }

    /** Takes a slot and reserves {@code probes} rate tokens; only after {@link #canStart} said yes. */
    void take(int probes) {
        inFlight++;
        starts.reserve(probes);
    }

    /** The request never started (refused or expired while waiting for a process-wide slot): all come back. */
    void giveBack(int probes) {
        inFlight--;
        starts.cancelReservation(probes);
    }

    /** The callback starts now: its reserved rate tokens are stamped with the time. */
    void started(long now, int probes) {
        starts.stamp(now, probes);
    }

    /** The callback ended: its slot comes back; its rate tokens do not, that is the point of a rate. */
    void finished() {
        inFlight--;
    }

    /** Why a request cannot start now; call after {@link #canStart} said no. */
    String busyReason() {
        if (inFlight >= maxInFlight) {
            return Limit.domainBusy(name, inFlight);
        }
        return Limit.domainRateReached(name, starts.limit());
    }

    /**
     * Whether the line waits for nothing but time: someone waits, a slot is free, and the head's
     * probes will fit once enough recorded starts have left the window, at {@link #headFitsAt}.
     * (A window full of reservations only frees when they are stamped or cancelled, not with time.)
     */
    boolean waitsOnlyForTime(long now) {
        starts.expire(now);
        return !waiters.isEmpty() && inFlight < maxInFlight && starts.roomComesWithTime(head().probes());
    }

    long headFitsAt() {
        return starts.roomAt(head().probes());
    }

    boolean hasWaiters() {
        return !waiters.isEmpty();
    }

    int waiting() {
        return waiters.size();
    }

    void enqueue(W w) {
        waiters.add(w);
    }

    boolean remove(W w) {
        return waiters.remove(w);
    }

    /** The longest waiting request, still in the line; only when {@link #hasWaiters}. */
    W head() {
        return waiters.iterator().next();
    }

    /** The longest waiting request, removed from the line; only when {@link #hasWaiters}. */
    W poll() {
        Iterator<W> it = waiters.iterator();
        W w = it.next();
        it.remove();
        return w;
    }

    /** Everyone waiting, removed from the line (shutdown). */
    Iterable<W> drain() {
        LinkedHashSet<W> all = new LinkedHashSet<>(waiters);
        waiters.clear();
        return all;
    }

    /** Nothing in flight, nobody waiting, no start left in the window: the state can be dropped. */
    boolean idle(long now) {
        starts.expire(now);
        return inFlight == 0 && waiters.isEmpty() && starts.isEmpty();
    }

    // The one timer a gate may have: the moment enough starts have left the window for its head.

    boolean wakeScheduledAt(long at) {
        return wakeTimer != null && wakeAt == at;
    }

    void setWake(Scheduler.Cancellable timer, long at) {
        cancelWake();
        wakeTimer = timer;
        wakeAt = at;
    }

    /** The timer set for {@code at} has run (a timer replaced meanwhile stays). */
    void wakeFired(long at) {
        if (wakeAt == at) {
            wakeTimer = null;
        }
    }

    void cancelWake() {
        if (wakeTimer != null) {
            wakeTimer.cancel();
            wakeTimer = null;
        }
    }
}
