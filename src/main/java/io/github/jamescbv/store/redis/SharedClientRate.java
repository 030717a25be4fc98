package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.SafeText;
import io.lettuce.core.ScriptOutputType;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Each connecting client's budget of new callbacks, shared by every node: a bucket of
 * {@code rate} tokens refilled at {@code rate} a minute, kept in Redis as one number per client,
 * the moment its bucket is full again (GCRA), in microseconds of the callers' clock. A client is
 * an IPv4 address or an IPv6 /64 (one host picks any address of its /64 at will). Its script has
 * that one key ({@link RedisKeys#client}): any slot of a cluster will do.
 */
final class SharedClientRate {
    private static final long MINUTE_MICROS = 60_000_000L;

    /*
     * KEYS the client's key. ARGV now (µs), interval (µs), tolerance (µs). Returns 1 when a token
     * was taken, 0 when the bucket is empty. The key lives until its bucket is full again.
     */
    private static final LuaScript CHARGE = new LuaScript(String.join("\n",
        "local now = tonumber(ARGV[1])",
        "local full = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])",
        "if full - now > tonumber(ARGV[3]) then return 0 end",
        "if full < now then full = now end",
        "full = full + tonumber(ARGV[2])",
        "redis.call('SET', KEYS[1], string.format('%.0f', full), 'PX', math.ceil((full - now) / 1000) + 1000)",
        "return 1"), ScriptOutputType.INTEGER);

    private final RedisLink link;
    private final RedisKeys keys;
    private final int rate;
    private final long interval;
    private final long tolerance;

    SharedClientRate(RedisLink link, RedisKeys keys, int rate) {
        this.link = link;
        this.keys = keys;
        this.rate = rate;
        this.interval = MINUTE_MICROS / rate;
        this.tolerance = (rate - 1) * interval;
    }

    /** Empty when a token was taken, else the refusal. */
    CompletableFuture<Optional<String>> charge(InetAddress client, long nowMillis) {
        InetAddress key = clientKey(client);
        String name = key.getHostAddress() + (key instanceof Inet6Address ? "/64" : "");
        return CHARGE.<Long>run(link, new String[] {keys.client(name)}, ascii(nowMillis * 1000), ascii(interval), ascii(tolerance))
            .thenApply(taken -> {
                if (taken == null || (taken != 0 && taken != 1)) {
                    throw new UnreadableReply("the client rate script answered " + taken);
                }
                return taken == 1 ? Optional.empty()
                    : Optional.of("client " + SafeText.clean(name, 64) + " exceeded " + rate + " new callbacks per minute");
            });
    }

    /** An IPv4 address as is (an IPv4-mapped IPv6 one too); an IPv6 address cut to its /64. */
    static InetAddress clientKey(InetAddress a) {
        byte[] raw = a.getAddress();
        try {
            InetAddress plain = InetAddress.getByAddress(raw); // no lookup; maps ::ffff:a.b.c.d to IPv4
            if (plain instanceof Inet6Address) {
                byte[] prefix64 = plain.getAddress();
                java.util.Arrays.fill(prefix64, 8, 16, (byte) 0);
                return InetAddress.getByAddress(prefix64);
            }
            return plain;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address's own bytes are an address", e);
        }
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }
}
