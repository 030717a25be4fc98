package io.github.jamescbv.store.memory;

/**
 * The sliding one-minute window of callbacks started to one domain: the exact start times
 * (oldest first) of the last {@code windowNanos}, plus reservations for requests that have
 * passed the domain's checks but are still waiting for a process-wide slot.
 *
 * <p>A reservation counts against the rate like a start and is stamped with the real start
 * time when the callback actually starts (or cancelled if it never does). Taking the token
 * early keeps a waiting request's place; stamping it late is what makes the bound exact: in
 * any interval of {@code windowNanos} at most {@code limit} callbacks start, however long they
 * queued. (Stamping at reservation time would let starts that queued for a while bunch up
 * with fresh ones.) A token bucket would allow twice the rate in the worst minute.
 *
 * <p>Memory is at most {@code limit} longs, allocated as needed. Not thread-safe: guarded by
 * the lock of {@link InMemoryBudgets}.
 */
final class StartWindow {
    private final int limit;
    private final long windowNanos;
    private long[] starts = new long[4];
    private int head;
    private int size;
    private int reserved;

    StartWindow(int limit, long windowNanos) {
        this.limit = limit;
        this.windowNanos = windowNanos;
    }

    /** Forgets the starts that have left the window: a start at t counts during [t, t + window). */
    void expire(long now) {
        while (size > 0 && now - starts[head] >= windowNanos) {
            head = (head + 1) % starts.length;
            size--;
        }
    }

    /** Call {@link #expire} first. */
    boolean hasRoom() {
        return size + reserved < limit;
    }

    void reserve() {
        reserved++;
    }

    void cancelReservation() {
        reserved--;
    }

    /** The reserved callback starts now; {@code now} is never before an earlier stamp (one clock, one lock). */
    void stamp(long now) {
        reserved--;
        if (size == starts.length) {
            grow();
        }
        starts[(head + size) % starts.length] = now;
        size++;
    }

    /** When the oldest recorded start leaves the window; only meaningful when there is one. */
    long oldestLeavesAt() {
        return starts[head] + windowNanos;
    }

    boolean hasStarts() {
        return size > 0;
    }

    /** Nothing recorded nor reserved: the domain's rate state is as good as new. */
    boolean isEmpty() {
        return size == 0 && reserved == 0;
    }

    int limit() {
        return limit;
    }

    private void grow() {
        long[] bigger = new long[Math.min(Math.max(limit, 1), starts.length * 2)];
        for (int i = 0; i < size; i++) {
            bigger[i] = starts[(head + i) % starts.length];
        }
        starts = bigger;
        head = 0;
    }
}
