package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.DaemonScheduler;
import io.github.jamescbv.core.Ticker;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.ProcessCapacity;
import io.github.jamescbv.policy.Protections;
import io.github.jamescbv.store.memory.InMemoryBudgets;
import io.github.jamescbv.store.memory.InMemoryProtections;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import io.github.jamescbv.store.shared.FailoverBounds;
import io.github.jamescbv.store.shared.FailoverBudgets;
import io.github.jamescbv.store.shared.FailoverMemory;
import io.github.jamescbv.store.shared.NearCachedMemory;
import java.time.Duration;
import java.util.List;

/**
 * Protections shared by every node on one Redis: the verdicts, the callbacks in flight and the
 * remote budgets ({@code perDomainConcurrent}, {@code perDomainRate}, {@code perClientRate}) are
 * the cluster's; {@code maxConcurrent} and {@code maxQueued} stay this node's, since they protect
 * the node. Each shared part stands behind this node's own in-memory part, which answers while
 * Redis does not ({@link FailoverMemory}, {@link FailoverBudgets}); the verdicts also behind a
 * small near-cache, so that a sender seen a moment ago costs no round trip.
 *
 * <p>One {@link RedisLink} for the whole process: one connection, or one per master of a Redis
 * Cluster. It is opened at start, which waits for it (boundedly): a mail arriving the moment
 * James opens its ports must not find a healthy Redis "unavailable" because the connection was
 * still being made. A Redis that is not there at start costs at most that wait (a refused
 * connection, nothing), and this node answers alone until it is.
 */
public final class RedisProtections {
    /** How often a node working alone asks Redis whether it answers again. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    /** A callback claimed in Redis may take this much longer than its bound before another node may take over. */
    private static final Duration CLAIM_MARGIN = Duration.ofSeconds(5);
    /**
     * The longest a node's start waits for its first connection to Redis. Its outcome comes sooner:
     * a refused connection at once, the TCP connect and the handshake each within the timeout, and
     * loading the client in a fresh process a second or two.
     */
    private static final Duration FIRST_CONNECTION_WAIT = Duration.ofSeconds(5);

    private RedisProtections() {
    }

    /**
     * @param callbackBound the longest a callback may take from its claim to its verdict (waiting for
     *                      a slot included): how long another node waits for it before calling back itself
     * @throws IllegalArgumentException when the URL cannot be used (checked by {@link RedisSettings} already)
     */
    public static Protections start(CacheSettings cache, LimitSettings limits, RedisSettings redis, Duration callbackBound) {
        DaemonScheduler timer = new DaemonScheduler(InMemoryProtections.TIMER_THREAD);
        RedisLink link = null;
        try {
            link = new RedisLink(redis); // connects now, without waiting: see RedisLink
            // ... but the start waits for it, boundedly, so that James's first mails find it open.
            link.awaitConnection(FIRST_CONNECTION_WAIT);
            Ticker ticker = Ticker.SYSTEM;
            Duration claimLease = callbackBound.plus(CLAIM_MARGIN);
            // A joined callback of another node is waited for as long as its claim may last, then some.
            FailoverBounds bounds = new FailoverBounds(redis.timeout(), PROBE_EVERY, claimLease.plus(redis.timeout()));
            FailoverMemory verdicts = new FailoverMemory(
                new RedisVerdictMemory(link, redis.keyPrefix(), cache, ticker, claimLease),
                new InMemoryVerdictMemory(cache, ticker), ticker, timer, bounds);
            FailoverBudgets budgets = new FailoverBudgets(
                new RedisBudgets(link, redis.keyPrefix(), limits, ticker, timer),
                new InMemoryBudgets(limits, ticker, timer), ticker, timer, bounds);
            NearCachedMemory memory = new NearCachedMemory(verdicts, cache, ticker, redis.nearCacheEntries(), redis.nearCacheTime());
            // The link after the stores that use it, the timer last: closing a store may still schedule.
            return new Protections(memory, budgets, new ProcessCapacity(limits, ticker, timer), ticker,
                List.of(link, timer), List.of(verdicts.health(), budgets.health()));
        } catch (RuntimeException e) {
            if (link != null) {
                link.close();
            }
            timer.close();
            throw e;
        }
    }
}
