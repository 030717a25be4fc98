package io.github.jamescbv.policy;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The process-wide slots: at most {@code max} callbacks in flight, and a FIFO line of at most
 * {@code maxQueued} requests waiting for one. A LinkedHashSet keeps arrival order and lets a
 * request whose deadline passes leave from the middle in O(1).
 *
 * <p>Invariant kept by the callers: nobody waits while a slot is free ({@link #tryAcquire}
 * never jumps the line, and every release hands the slot to the head of the line).
 *
 * <p>Not thread-safe: guarded by the lock of {@link ProcessCapacity}.
 *
 * @param <W> the waiting request
 */
final class ConcurrencyQueue<W> {
    private final int max;
    private final int maxQueued;
    private final LinkedHashSet<W> queue = new LinkedHashSet<>();
    private int inFlight;

    ConcurrencyQueue(int max, int maxQueued) {
        this.max = max;
        this.maxQueued = maxQueued;
    }

    /** Every slot taken and the line full: a newcomer is refused at once. */
    boolean saturated() {
        return inFlight >= max && queue.size() >= maxQueued;
    }

    /** Takes a slot when one is free and nobody is ahead in the line. */
    boolean tryAcquire() {
        if (inFlight < max && queue.isEmpty()) {
            inFlight++;
            return true;
        }
        return false;
    }

    /** Joins the end of the line; false when the line is full. */
    boolean offer(W w) {
        if (queue.size() >= maxQueued) {
            return false;
        }
        queue.add(w);
        return true;
    }

    /** Leaves the line (deadline); false when not in it. */
    boolean remove(W w) {
        return queue.remove(w);
    }

    void release() {
        inFlight--;
    }

    /** When a slot is free and someone waits: the slot goes to the head of the line, who is returned; else null. */
    W pollIfFree() {
        if (inFlight >= max || queue.isEmpty()) {
            return null;
        }
        Iterator<W> it = queue.iterator();
        W w = it.next();
        it.remove();
        inFlight++;
        return w;
    }

    /** Everyone waiting, removed from the line (shutdown). */
    Iterable<W> drain() {
        LinkedHashSet<W> all = new LinkedHashSet<>(queue);
        queue.clear();
        return all;
    }

    int inFlight() {
        return inFlight;
    }

    int queued() {
        return queue.size();
    }
}
