package io.github.jamescbv.store.memory;

/**
 * The sliding one-minute window of probes ({@code RCPT TO}s) charged to one domain: the exact
 * start times (oldest first) of the last {@code windowNanos}, one entry per probe (a callback of
 * three probes stands there three times), plus reservations for requests that have passed the
 * domain's checks but are still waiting for a process-wide slot.
 *
 * <p>A reservation counts against the rate like a start and is stamped with the real start
 * time when the callback actually starts (or cancelled if it never does). Taking the token
 * early keeps a waiting request's place; stamping it late is what makes the bound exact: in
 * any interval of {@code windowNanos} at most {@code limit} probes are charged, however long they
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

    /** Room for {@code probes} more; call {@link #expire} first. */
    boolean hasRoom(int probes) {
        return (long) size + reserved + probes <= limit;
    }

    void reserve(int probes) {
        reserved += probes;
    }

    void cancelReservation(int probes) {
        reserved -= probes;
    }

    /** The reserved probes start now; {@code now} is never before an earlier stamp (one clock, one lock). */
    void stamp(long now, int probes) {
        reserved -= probes;
        for (int i = 0; i < probes; i++) {
            if (size == starts.length) {
                grow();
            }
            starts[(head + size) % starts.length] = now;
            size++;
        }
    }

    /**
     * Whether time alone will make room for {@code probes}: enough recorded starts would have to
     * leave, not reservations (those free only when stamped or cancelled). Call {@link #expire} first.
     */
    boolean roomComesWithTime(int probes) {
        long missing = (long) size + reserved + probes - limit;
        return missing > 0 && missing <= size;
    }

    /** When enough recorded starts have left for {@code probes}; only when {@link #roomComesWithTime}. */
    long roomAt(int probes) {
        int missing = size + reserved + probes - limit;
        return starts[(head + missing - 1) % starts.length] + windowNanos;
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
