package io.github.jamescbv.store.redis;

import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One domain's budget in Redis, shared by every node: its leases (a sorted set of lease ids
 * scored by expiry), its reserved rate tokens (one per probe the callback may send, named
 * {@code id#1}, {@code id#2}..., scored by the lease's expiry: a holder that dies loses its tokens
 * with its slot) and its starts (the same tokens scored by start time, a sliding minute). Each
 * step is one script, so that the check and the take cannot interleave with another node's;
 * each cleans what has expired before it counts. Times are the callers' clock (wall-clock
 * epoch milliseconds), passed in: the nodes' clocks must agree, as they must for
 * the verdicts' expiries. The keys of a domain share a hash tag ({@link RedisKeys#budget}), so a
 * cluster keeps them in one slot, as a script's keys must be; they carry a Redis TTL past
 * anything they hold: idle domains cost nothing.
 */
final class DomainBudgetScripts {
    static final long WINDOW_MILLIS = Duration.ofMinutes(1).toMillis();

    /*
     * KEYS leases, reserved, starts. ARGV now, lease expiry, lease id, max in flight, rate, window,
     * key TTL (ms), probes. Returns {1, in flight, 0, 0} when taken; else {0, in flight, wake at, why}:
     * why 1 for the slots, 2 for the rate; wake at, the moment the slot or enough tokens may come back
     * (the first lease to expire; the start whose leaving makes room for the probes, or the first
     * reservation to expire if earlier), 0 when none is known.
     */
    private static final LuaScript ACQUIRE = new LuaScript(String.join("\n",
        "local now = tonumber(ARGV[1])",
        "local n = tonumber(ARGV[8])",
        "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)",
        "redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)",
        "redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[6]))",
        "local function first(key, plus)",
        "  local f = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')",
        "  if f[2] then return tonumber(f[2]) + plus end",
        "  return 0",
        "end",
        "local inFlight = redis.call('ZCARD', KEYS[1])",
        "if inFlight >= tonumber(ARGV[4]) then",
        "  return {0, inFlight, first(KEYS[1], 0), 1}",
        "end",
        "local missing = redis.call('ZCARD', KEYS[3]) + redis.call('ZCARD', KEYS[2]) + n - tonumber(ARGV[5])",
        "if missing > 0 then",
        "  local s = 0",
        "  local k = redis.call('ZRANGE', KEYS[3], missing - 1, missing - 1, 'WITHSCORES')",
        "  if k[2] then s = tonumber(k[2]) + tonumber(ARGV[6]) end",
        "  local r = first(KEYS[2], 0)",
        "  if s == 0 or (r > 0 and r < s) then s = r end",
        "  return {0, inFlight, s, 2}",
        "end",
        "redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])",
        "for i = 1, n do redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3] .. '#' .. i) end",
        "for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[7]) end",
        "return {1, inFlight + 1, 0, 0}"), ScriptOutputType.MULTI);

    /** KEYS reserved, starts; ARGV now, lease id, key TTL, probes. The reserved tokens still held become starts. */
    private static final LuaScript START = new LuaScript(String.join("\n",
        "for i = 1, tonumber(ARGV[4]) do",
        "  local token = ARGV[2] .. '#' .. i",
        "  if redis.call('ZREM', KEYS[1], token) == 1 then",
        "    redis.call('ZADD', KEYS[2], ARGV[1], token)",
        "  end",
        "end",
        "redis.call('PEXPIRE', KEYS[2], ARGV[3])",
        "return 1"), ScriptOutputType.INTEGER);

    /** KEYS leases, reserved; ARGV lease id, probes. The slot back, and the tokens if they were never started. */
    private static final LuaScript RELEASE = new LuaScript(String.join("\n",
        "redis.call('ZREM', KEYS[1], ARGV[1])",
        "for i = 1, tonumber(ARGV[2]) do redis.call('ZREM', KEYS[2], ARGV[1] .. '#' .. i) end",
        "return 1"), ScriptOutputType.INTEGER);

    /** What one attempt found. */
    static final class Attempt {
        final boolean taken;
        final long inFlight;
        /** When something held ends, on the callers' clock; 0 when nothing will end by time alone. */
        final long wakeAtMillis;
        final boolean slotsFull;

        Attempt(boolean taken, long inFlight, long wakeAtMillis, boolean slotsFull) {
            this.taken = taken;
            this.inFlight = inFlight;
            this.wakeAtMillis = wakeAtMillis;
            this.slotsFull = slotsFull;
        }
    }

    private final RedisLink link;
    private final RedisKeys keys;
    private final int maxInFlight;
    private final int rate;

    DomainBudgetScripts(RedisLink link, RedisKeys keys, int maxInFlight, int rate) {
        this.link = link;
        this.keys = keys;
        this.maxInFlight = maxInFlight;
        this.rate = rate;
    }

    CompletableFuture<Attempt> acquire(String domain, String leaseId, int probes, long nowMillis, long expiresAtMillis,
                                       Duration leaseTime) {
        long keyTtl = Math.max(leaseTime.toMillis(), WINDOW_MILLIS) + WINDOW_MILLIS;
        return ACQUIRE.<List<Object>>run(link, keys.budget(domain), ascii(nowMillis), ascii(expiresAtMillis), ascii(leaseId),
                ascii(maxInFlight), ascii(rate), ascii(WINDOW_MILLIS), ascii(keyTtl), ascii(probes))
            .thenApply(DomainBudgetScripts::attempt);
    }

    CompletableFuture<Long> start(String domain, String leaseId, int probes, long nowMillis) {
        String[] k = keys.budget(domain);
        return START.run(link, new String[] {k[1], k[2]}, ascii(nowMillis), ascii(leaseId), ascii(2 * WINDOW_MILLIS),
            ascii(probes));
    }

    CompletableFuture<Long> release(String domain, String leaseId, int probes) {
        String[] k = keys.budget(domain);
        return RELEASE.run(link, new String[] {k[0], k[1]}, ascii(leaseId), ascii(probes));
    }

    private static Attempt attempt(List<Object> reply) {
        if (reply == null || reply.size() != 4 || !reply.stream().allMatch(o -> o instanceof Long)) {
            throw new UnreadableReply("the domain budget script answered " + reply);
        }
        return new Attempt((Long) reply.get(0) == 1, (Long) reply.get(1), (Long) reply.get(2), (Long) reply.get(3) == 1);
    }

    private static byte[] ascii(Object o) {
        return String.valueOf(o).getBytes(StandardCharsets.US_ASCII);
    }
}
