package io.github.jamescbv.smtp;

import io.github.jamescbv.core.Ticker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connections of one probe client, kept between probes: per {@link Route} those waiting for
 * the next probe (a later probe to the same address, port, HELO name and TLS policy takes the one
 * parked last), and per called-back domain how many are open, so that a domain never has more
 * than {@code connectionsPerDomain} connections from this process, busy or idle: before a probe of
 * the domain gets one more, the oldest idle ones of that domain take leave (QUIT). Busy ones are
 * bounded by the domain's callback slots (the policy's leases), which a connection taken from
 * the pool needs no more of than a new one.
 *
 * <p>What "open" counts: every connection from the moment a probe starts it (or takes it) until
 * its channel closes, less those sent away from the pool that are only saying QUIT. A connection is
 * charged to the domain of the probe that holds it, or held it last.
 *
 * <p>Thread-safe: one lock for the lists and counts; whatever follows a decision (a probe taking
 * over a connection, a connection taking leave, a probe opening a new connection instead) runs
 * after the lock is let go, on the connection's I/O thread where it touches the connection.
 */
final class ConnectionPool {
    private final Ticker clock;
    private final Object lock = new Object();
    // Guarded by lock.
    private final Map<Route, Deque<KeptConnection>> waiting = new HashMap<>();
    private final Map<String, DomainConnections> domains = new HashMap<>();
    // Outside the lock: counted on the I/O thread of a probe that took a kept connection, read by scrapes.
    private final AtomicLong reused = new AtomicLong();
    private ReuseSettings settings = ReuseSettings.OFF;
    private int connectionsPerDomain;
    private boolean closed;

    ConnectionPool(Ticker clock) {
        this.clock = clock;
    }

    /**
     * @param connectionsPerDomain open connections to one called-back domain at most, busy or
     *                             idle; 0 for no bound (a client without callback limits, the command)
     */
    void configure(ReuseSettings reuse, int connectionsPerDomain) {
        if (connectionsPerDomain < 0) {
            throw new IllegalArgumentException("connectionsPerDomain must be 0 or more, not " + connectionsPerDomain);
        }
        synchronized (lock) {
            this.settings = reuse;
            this.connectionsPerDomain = connectionsPerDomain;
        }
    }

    ReuseSettings settings() {
        synchronized (lock) {
            return settings;
        }
    }

    Ticker clock() {
        return clock;
    }

    /** A probe of {@code domain} opens {@code k}: counted, and idle connections of the domain beyond the bound leave. */
    void opened(KeptConnection k, String domain) {
        List<KeptConnection> leaving = new ArrayList<>();
        synchronized (lock) {
            k.state = KeptConnection.State.BUSY;
            k.domain = domain;
            domain(domain).open++;
            evictBeyondBound(domain, leaving);
        }
        sendAway(leaving);
    }

    /**
     * Hands {@code session} a kept connection to its route, if there is one and reuse is on: an
     * idle one at once (on its I/O thread), else one whose RSET is still in flight, when that is
     * answered, if that comes within what a new connection would take ({@link KeptConnection#claimWaitNanos}).
     * Idle connections past their lifetime are left to their timer.
     *
     * @return false when there is none: the session opens a new connection
     */
    boolean take(Route route, String domain, ProbeSession session) {
        KeptConnection taken = null;
        KeptConnection claimed = null;
        List<KeptConnection> leaving = new ArrayList<>();
        synchronized (lock) {
            Deque<KeptConnection> line = waiting.get(route);
            if (closed || !settings.enabled() || line == null) {
                return false;
            }
            long now = clock.nanoTime();
            KeptConnection parking = null;
            for (Iterator<KeptConnection> it = line.descendingIterator(); it.hasNext(); ) {
                KeptConnection k = it.next();
                if (k.age(now) >= settings.maxLifetime().toNanos()) {
                    continue;
                }
                if (k.state == KeptConnection.State.IDLE) {
                    taken = k;
                    break;
                }
                if (parking == null && k.state == KeptConnection.State.PARKING) {
                    parking = k;
                }
            }
            KeptConnection k = taken != null ? taken : parking;
            if (k == null) {
                return false;
            }
            claimed = taken != null ? null : parking;
            unlist(k);
            k.state = taken != null ? KeptConnection.State.BUSY : KeptConnection.State.CLAIMED;
            k.claimant = claimed != null ? session : null;
            charge(k, domain);
            evictBeyondBound(domain, leaving);
        }
        sendAway(leaving);
        KeptConnection k = taken != null ? taken : claimed;
        if (taken != null) {
            runOn(k, () -> session.resume(k), session);
        } else {
            waitForClaim(k, session);
        }
        return true;
    }

    /** A probe waits for a parking connection's RSET no longer than a new connection would take. */
    private static void waitForClaim(KeptConnection k, ProbeSession session) {
        try {
            k.connection().executor().schedule(() -> k.claimTimedOut(session), k.claimWaitNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            session.freshConnection("the probe client is closing");
        }
    }

    /** The claim of {@code session} on {@code k} ends unanswered: back to parking; true if it was still claimed by it. */
    boolean unclaim(KeptConnection k, ProbeSession session) {
        synchronized (lock) {
            if (k.state != KeptConnection.State.CLAIMED || k.claimant != session) {
                return false;
            }
            k.claimant = null;
            k.state = KeptConnection.State.PARKING;
            list(k);
            return true;
        }
    }

    /** A probe's connection is parking (its RSET goes out now): from here it can be claimed or sent away. False once closed. */
    boolean parking(KeptConnection k) {
        synchronized (lock) {
            if (closed || k.state != KeptConnection.State.BUSY) {
                return false;
            }
            k.state = KeptConnection.State.PARKING;
            list(k);
            return true;
        }
    }

    /** The RSET of {@code k} was answered in time: it goes to its claimant, waits idle, or leaves if sent away meanwhile. On k's I/O thread. */
    void parked(KeptConnection k) {
        ProbeSession claimant = null;
        boolean idle = false;
        synchronized (lock) {
            if (k.state == KeptConnection.State.CLAIMED) {
                claimant = k.claimant;
                k.claimant = null;
                k.state = KeptConnection.State.BUSY;
            } else if (k.state == KeptConnection.State.PARKING) {
                k.state = KeptConnection.State.IDLE;
                idle = true;
            }
        }
        if (claimant != null) {
            claimant.resume(k);
        } else if (idle) {
            k.waitIdle();
        } else {
            k.leave();
        }
    }

    /** {@code k} will not be kept after all (its RSET failed, or came too slowly): a probe that claimed it opens a new connection. */
    void drop(KeptConnection k, String why) {
        ProbeSession claimant;
        synchronized (lock) {
            claimant = sendAwayLocked(k);
        }
        if (claimant != null) {
            claimant.freshConnection(why);
        }
    }

    /** The idle time of {@code k} is over: true when it was still idle, and has been taken out to leave. */
    boolean expire(KeptConnection k) {
        synchronized (lock) {
            if (k.state != KeptConnection.State.IDLE) {
                return false;
            }
            sendAwayLocked(k);
            return true;
        }
    }

    /** The channel of {@code k} closed (or never opened): no longer counted; a probe that claimed it opens a new connection. */
    void closed(KeptConnection k) {
        ProbeSession claimant;
        synchronized (lock) {
            if (k.state == KeptConnection.State.CLOSED) {
                return;
            }
            claimant = sendAwayLocked(k);
            DomainConnections d = domains.get(k.domain);
            if (d != null) {
                d.open--;
                d.leaving--;
                if (d.open <= 0 && d.kept.isEmpty()) {
                    domains.remove(k.domain);
                }
            }
            k.state = KeptConnection.State.CLOSED;
        }
        if (claimant != null) {
            claimant.freshConnection("the kept connection closed");
        }
    }

    /**
     * Keeps nothing from now on, and sends every kept connection away (QUIT); probes waiting for one
     * open their own, which the closing client refuses.
     *
     * @return the connections that take leave now, for the client to wait (bounded) for their QUIT
     */
    List<KeptConnection> close() {
        List<KeptConnection> leaving = new ArrayList<>();
        List<ProbeSession> claimants = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            for (Deque<KeptConnection> line : waiting.values()) {
                leaving.addAll(line);
            }
            for (KeptConnection k : leaving) {
                ProbeSession c = sendAwayLocked(k);
                if (c != null) {
                    claimants.add(c);
                }
            }
        }
        sendAway(leaving);
        for (ProbeSession c : claimants) {
            c.freshConnection("the probe client is closing");
        }
        return leaving;
    }

    /** Connections waiting idle for a probe now (gauge, tests). */
    int idleConnections() {
        synchronized (lock) {
            int n = 0;
            for (Deque<KeptConnection> line : waiting.values()) {
                for (KeptConnection k : line) {
                    n += k.state == KeptConnection.State.IDLE ? 1 : 0;
                }
            }
            return n;
        }
    }

    /** A probe begins on a kept connection (it was still open and the probe still wanted). */
    void reusedOnce() {
        reused.incrementAndGet();
    }

    /** Probes that began on a kept connection since the pool began (gauge, stats). */
    long reusedConnections() {
        return reused.get();
    }

    /** Connections open to {@code domain} as counted for its bound (tests). */
    int openConnections(String domain) {
        synchronized (lock) {
            DomainConnections d = domains.get(domain);
            return d == null ? 0 : d.open - d.leaving;
        }
    }

    // ---- under the lock

    private DomainConnections domain(String domain) {
        return domains.computeIfAbsent(domain, d -> new DomainConnections());
    }

    /** Moves the charge of {@code k} to {@code domain}, the domain of the probe that takes it. */
    private void charge(KeptConnection k, String domain) {
        if (!domain.equals(k.domain)) {
            DomainConnections old = domains.get(k.domain);
            if (old != null) {
                old.open--;
                if (old.open <= 0 && old.kept.isEmpty()) {
                    domains.remove(k.domain);
                }
            }
            k.domain = domain;
            domain(domain).open++;
        }
    }

    private void evictBeyondBound(String domain, List<KeptConnection> leaving) {
        DomainConnections d = domains.get(domain);
        while (connectionsPerDomain > 0 && d != null && d.open - d.leaving > connectionsPerDomain && !d.kept.isEmpty()) {
            KeptConnection oldest = d.kept.iterator().next();
            sendAwayLocked(oldest);
            leaving.add(oldest);
        }
    }

    /** Out of the lists, leaving; returns the probe that had claimed it, which must be told. */
    private ProbeSession sendAwayLocked(KeptConnection k) {
        if (k.state == KeptConnection.State.LEAVING || k.state == KeptConnection.State.CLOSED) {
            return null;
        }
        unlist(k);
        ProbeSession claimant = k.claimant;
        k.claimant = null;
        k.state = KeptConnection.State.LEAVING;
        DomainConnections d = domains.get(k.domain);
        if (d != null) {
            d.leaving++;
        }
        return claimant;
    }

    private void list(KeptConnection k) {
        waiting.computeIfAbsent(k.route(), r -> new ArrayDeque<>()).addLast(k);
        domain(k.domain).kept.add(k);
    }

    private void unlist(KeptConnection k) {
        Deque<KeptConnection> line = waiting.get(k.route());
        if (line != null && line.remove(k) && line.isEmpty()) {
            waiting.remove(k.route());
        }
        DomainConnections d = domains.get(k.domain);
        if (d != null) {
            d.kept.remove(k);
        }
    }

    // ---- after the lock

    private static void sendAway(List<KeptConnection> leaving) {
        for (KeptConnection k : leaving) {
            runOn(k, k::leave, null);
        }
    }

    /** Runs {@code task} on k's I/O thread; if those threads are gone, the session (if any) opens a new connection, which the closed client refuses. */
    private static void runOn(KeptConnection k, Runnable task, ProbeSession session) {
        try {
            k.connection().executor().execute(task);
        } catch (RejectedExecutionException e) {
            if (session != null) {
                session.freshConnection("the probe client is closing");
            }
        }
    }

    /** What one called-back domain has open; guarded by the lock. */
    private static final class DomainConnections {
        /** Charged to the domain and not closed yet (leaving ones included). */
        int open;
        /** Of those, sent away from the pool and only saying QUIT. */
        int leaving;
        /** Idle or parking, oldest parked first: the ones that leave when the domain is at its bound. */
        final LinkedHashSet<KeptConnection> kept = new LinkedHashSet<>();
    }
}
