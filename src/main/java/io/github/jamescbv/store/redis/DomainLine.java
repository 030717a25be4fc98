package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.Scheduler;
import io.github.jamescbv.policy.RemoteBudgets.DomainLease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * This process's FIFO line of requests for one domain's shared budget. Only the head is tried
 * in Redis, one attempt at a time; those behind it are decided when an attempt finds the domain
 * busy (refused at once, or waiting), as the in-memory budgets decide them on arrival. Guarded
 * by the lock of {@link RedisBudgets}.
 */
final class DomainLine {
    /** One call of acquire. */
    static final class Request {
        /** The rate tokens asked: the probes the callback may send. */
        final int probes;
        final long deadlineNanos;
        final Duration leaseTime;
        final CompletableFuture<DomainLease> future = new CompletableFuture<>();
        /** Tried and found the domain busy: waits for a retry, its deadline timer set. */
        boolean waiting;
        Scheduler.Cancellable deadlineTimer;

        Request(int probes, long deadlineNanos, Duration leaseTime) {
            this.probes = probes;
            this.deadlineNanos = deadlineNanos;
            this.leaseTime = leaseTime;
        }

        void leave() {
            waiting = false;
            if (deadlineTimer != null) {
                deadlineTimer.cancel();
                deadlineTimer = null;
            }
        }
    }

    final String key;
    final String name;
    private final LinkedHashSet<Request> requests = new LinkedHashSet<>();
    private int waiting;
    /** Why the last attempt could not take a slot; null before any was refused. */
    String busyReason;
    /** An attempt of the head is under way in Redis. */
    boolean trying;
    /** Something changed while trying: try again when it ends. */
    boolean again;
    Scheduler.Cancellable retry;

    DomainLine(String key, String name) {
        this.key = key;
        this.name = name;
    }

    void add(Request r) {
        requests.add(r);
    }

    Request head() {
        return requests.isEmpty() ? null : requests.iterator().next();
    }

    boolean remove(Request r) {
        boolean was = requests.remove(r);
        if (was && r.waiting) {
            waiting--;
        }
        r.leave();
        return was;
    }

    void markWaiting(Request r) {
        if (!r.waiting) {
            r.waiting = true;
            waiting++;
        }
    }

    /** Tried and waiting (not those still to be tried). */
    int waiting() {
        return waiting;
    }

    boolean hasWaiting() {
        return waiting > 0;
    }

    int size() {
        return requests.size();
    }

    /** Those not yet tried, in order. */
    List<Request> untried() {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (!r.waiting) {
                out.add(r);
            }
        }
        return out;
    }

    /** Everyone, removed from the line. */
    List<Request> drain() {
        List<Request> all = new ArrayList<>(requests);
        all.forEach(this::remove);
        return all;
    }

    boolean idle() {
        return requests.isEmpty() && !trying;
    }

    void cancelRetry() {
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
    }
}
