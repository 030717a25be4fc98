package io.github.jamescbv.store.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claims of callbacks across nodes: a key per address, set only if absent, holding the
 * claimer's token, with a lease as long as the callback may run. Whoever finds the key taken
 * knows the callback is under way elsewhere; a holder that dies leaves a key that Redis expires
 * with its lease, and the address is free again. A holder releases only its own claim (by
 * token, atomically): never one that expired and was taken by someone else meanwhile.
 *
 * <p>The claims this process holds are known, so that a node that stops gives them back at
 * once ({@link #releaseAll}) rather than leaving the other nodes to wait out their lease
 * (minutes with the default timeouts) during a rolling restart.
 */
final class SharedClaims {
    /** KEYS[1] the claim; ARGV[1] the releasing holder's token. */
    private static final LuaScript RELEASE = new LuaScript(String.join("\n",
        "if redis.call('GET', KEYS[1]) == ARGV[1] then",
        "  return redis.call('DEL', KEYS[1])",
        "end",
        "return 0"), ScriptOutputType.INTEGER);

    private final RedisLink link;
    private final RedisKeys keys;
    private final long leaseMillis;
    /** Address to token, of the claims this process took and has not released. */
    private final Map<String, String> held = new ConcurrentHashMap<>();

    SharedClaims(RedisLink link, RedisKeys keys, Duration lease) {
        this.link = link;
        this.keys = keys;
        this.leaseMillis = Math.max(1, lease.toMillis());
    }

    /** The token of a claim just taken, or null when someone holds it already. */
    CompletableFuture<String> claim(String address) {
        String token = UUID.randomUUID().toString();
        return link.call(c -> c.set(keys.claim(address), token.getBytes(StandardCharsets.US_ASCII),
                SetArgs.Builder.nx().px(leaseMillis)))
            .thenApply(reply -> {
                if (reply == null) {
                    return null;
                }
                if (!"OK".equals(reply)) {
                    throw new UnreadableReply("SET NX answered " + reply);
                }
                held.put(address, token);
                return token;
            });
    }

    /** Whether a claim on {@code address} is held now. */
    CompletableFuture<Boolean> held(String address) {
        return link.call(c -> c.exists(keys.claim(address))).thenApply(n -> {
            if (n == null || n < 0 || n > 1) {
                throw new UnreadableReply("EXISTS answered " + n);
            }
            return n == 1;
        });
    }

    /** Gives back the claim taken with {@code token}, if it is still that one. */
    CompletableFuture<Long> release(String address, String token) {
        held.remove(address, token);
        return RELEASE.run(link, new String[] {keys.claim(address)}, token.getBytes(StandardCharsets.US_ASCII));
    }

    /** Gives back every claim this process holds (it stops); their callbacks' own releases then find nothing. */
    CompletableFuture<Void> releaseAll() {
        List<CompletableFuture<Long>> releases = new java.util.ArrayList<>();
        held.forEach((address, token) -> releases.add(release(address, token)));
        return CompletableFuture.allOf(releases.toArray(new CompletableFuture<?>[0]));
    }
}
