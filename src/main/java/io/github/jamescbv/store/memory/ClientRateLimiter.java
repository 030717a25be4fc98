package io.github.jamescbv.store.memory;

import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.core.Ticker;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How many new callbacks each connecting client may cause: a token bucket per client holding
 * at most {@code rate} tokens and refilled continuously at {@code rate} per minute, so a burst
 * of {@code rate}, then one every {@code 60 s / rate}; a client silent for a minute has its
 * whole burst back. A client sending many different forged senders so cannot turn us into a
 * probe cannon.
 *
 * <p>The bucket is kept as one number, the time at which it would be full again (the
 * "theoretical arrival time" of GCRA); a charge is allowed while that lies at most
 * {@code (rate - 1)} intervals ahead of now.
 *
 * <p>A client is an IPv4 address, or an IPv6 /64: one host (or one site) owns a whole /64 and
 * can pick a fresh source address for every connection, so counting single IPv6 addresses
 * would count nothing.
 *
 * <p>Memory: an entry for a client silent for a minute is indistinguishable from no entry
 * (bucket full, nothing logged in the last minute), so such entries are dropped, oldest first,
 * on every charge and by {@link #sweep}. On top of that the map holds at most
 * {@code maxClients} entries, dropping the least recently seen: a scan from millions of
 * addresses costs bounded memory, at worst forgetting the budget of the client seen longest
 * ago (the process-wide limits still hold then).
 *
 * <p>Each refusal is logged at most once per minute per client, with the count of the refusals
 * not logged since. Thread-safe.
 */
final class ClientRateLimiter {
    static final int DEFAULT_MAX_CLIENTS = 100_000;
    private static final long MINUTE = InMemoryBudgets.MINUTE_NANOS;

    private final int rate;
    private final long interval;
    private final long burstTolerance;
    private final Ticker ticker;
    private final Consumer<String> log;
    private final LinkedHashMap<InetAddress, Budget> budgets;

    /**
     * @param rate       new callbacks per minute per client (at least 1)
     * @param maxClients clients remembered at most
     * @param log        where the once-a-minute refusal lines go (INFO in production)
     */
    ClientRateLimiter(int rate, Ticker ticker, int maxClients, Consumer<String> log) {
        if (rate < 1 || maxClients < 1) {
            throw new IllegalArgumentException("bad client limits: rate " + rate + ", maxClients " + maxClients);
        }
        this.rate = rate;
        this.interval = MINUTE / rate;
        this.burstTolerance = (rate - 1) * interval;
        this.ticker = ticker;
        this.log = log;
        // access order: the head is always the client seen longest ago, the first to drop
        this.budgets = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Budget> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** Empty when allowed (one token taken), else the reason; an absent client is never limited. */
    Optional<String> charge(Optional<InetAddress> client) {
        if (client.isEmpty()) {
            return Optional.empty();
        }
        InetAddress key = clientKey(client.get());
        String reason;
        String logLine = null;
        synchronized (this) {
            long now = ticker.nanoTime();
            dropIdle(now);
            Budget b = budgets.get(key);
            if (b == null) {
                b = new Budget(now);
                budgets.put(key, b);
            }
            b.lastSeen = now;
            long ahead = b.fullAt - now;
            if (ahead <= burstTolerance) {
                b.fullAt = (ahead > 0 ? b.fullAt : now) + interval;
                return Optional.empty();
            }
            reason = "client " + display(key) + " exceeded " + rate + " new callbacks per minute";
            if (!b.logged || now - b.loggedAt >= MINUTE) {
                logLine = reason + (b.unlogged > 0 ? " (" + b.unlogged + " more refused since the last such line)" : "");
                b.logged = true;
                b.loggedAt = now;
                b.unlogged = 0;
            } else {
                b.unlogged++;
            }
        }
        if (logLine != null) {
            log.accept(logLine); // outside the lock: the sink is someone else's code
        }
        return Optional.of(reason);
    }

    /** Drops the clients silent for a minute. */
    synchronized void sweep() {
        dropIdle(ticker.nanoTime());
    }

    synchronized int size() {
        return budgets.size();
    }

    /**
     * A charge, allowed or not, always leaves {@code fullAt <= lastSeen + 1 minute}, and a line
     * is only logged at a charge; so a minute after {@code lastSeen} the bucket is full and the
     * last line a minute old: the entry holds nothing a fresh one would not.
     */
    private void dropIdle(long now) {
        Iterator<Budget> it = budgets.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().lastSeen < MINUTE) {
                return; // access order: everyone after this one was seen more recently
            }
            it.remove();
        }
    }

    /** An IPv4 address as is; an IPv6 address cut to its /64. */
    static InetAddress clientKey(InetAddress a) {
        try {
            // getByAddress never looks anything up; it drops host name and scope, and turns an
            // IPv4-mapped IPv6 address into the IPv4 address it is
            InetAddress plain = InetAddress.getByAddress(a.getAddress());
            if (!(plain instanceof Inet6Address)) {
                return plain;
            }
            byte[] b = plain.getAddress();
            for (int i = 8; i < 16; i++) {
                b[i] = 0;
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the bytes of an address are an address", e);
        }
    }

    private static String display(InetAddress key) {
        String text = key.getHostAddress() + (key instanceof Inet6Address ? "/64" : "");
        return SafeText.clean(text, 64);
    }

    private static final class Budget {
        long fullAt;
        long lastSeen;
        boolean logged;
        long loggedAt;
        int unlogged;

        Budget(long now) {
            this.fullAt = now;
        }
    }
}
