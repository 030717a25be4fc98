package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheScope;
import io.github.jamescbv.policy.PackedVerdict;
import io.github.jamescbv.policy.RememberRules;
import io.github.jamescbv.policy.ReplaceRule;
import io.github.jamescbv.policy.ResultTtls;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The writes of {@link RememberRules} for one verdict, carried out on Redis; {@link #done()}
 * completes when all of them have. A put that must not replace what is held ("a transient never
 * replaces a still-valid pass") is one script: read, compare and write in one step, so that two
 * nodes remembering at once cannot both read the pass and one of them overwrite it.
 */
final class VerdictWrites implements RememberRules.Writes {
    /** Redis refuses an expiry too far off; our logical expiry is in the value anyway. */
    private static final long LONGEST_REDIS_TTL = 3650L * 24 * 3600 * 1000;

    /*
     * KEYS[1] the verdict's key. ARGV[1] the value to store (expiry, result, ...), ARGV[2] its Redis
     * TTL in ms, ARGV[3] the writer's now in epoch ms, ARGV[4] the results (ordinals as digits) the
     * new verdict may not replace while they are valid. Returns 1 when written, 0 when kept.
     */
    private static final LuaScript PUT = new LuaScript(String.join("\n",
        "local held = redis.call('GET', KEYS[1])",
        "if held and #ARGV[4] > 0 and #held > 8 then",
        "  local expires = 0",
        "  for i = 1, 8 do expires = expires * 256 + string.byte(held, i) end",
        "  if expires > tonumber(ARGV[3]) and string.find(ARGV[4], tostring(string.byte(held, 9)), 1, true) then",
        "    return 0",
        "  end",
        "end",
        "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
        "return 1"), ScriptOutputType.INTEGER);

    /** For each incoming result, the held results it may not replace, as the script wants them. */
    private static final byte[][] KEPT_AGAINST = keptAgainst();

    private final RedisLink link;
    private final RedisKeys keys;
    private final long nowMillis;
    private final List<CompletableFuture<?>> writes = new ArrayList<>(2);

    VerdictWrites(RedisLink link, RedisKeys keys, long nowMillis) {
        this.link = link;
        this.keys = keys;
        this.nowMillis = nowMillis;
    }

    @Override
    public void put(CacheScope scope, String key, byte[] packed, long ttlMillis) {
        if (!RedisKeys.fits(key)) {
            return;
        }
        byte[] stored = StoredVerdict.encode(ResultTtls.expiry(nowMillis, ttlMillis), packed);
        String[] k = {keys.verdict(scope, key)};
        writes.add(PUT.run(link, k, stored, ascii(Math.min(ttlMillis, LONGEST_REDIS_TTL)), ascii(nowMillis),
            KEPT_AGAINST[PackedVerdict.result(packed).ordinal()]));
    }

    @Override
    public void remove(CacheScope scope, String key) {
        if (RedisKeys.fits(key)) {
            writes.add(link.call(c -> c.del(keys.verdict(scope, key))));
        }
    }

    /** Completes when every write has, failed if any failed. */
    CompletableFuture<Void> done() {
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]));
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    /** Asks {@link ReplaceRule} itself, so that the rule lives in one place. */
    private static byte[][] keptAgainst() {
        Result[] results = Result.values();
        byte[][] kept = new byte[results.length][];
        for (Result incoming : results) {
            StringBuilder ordinals = new StringBuilder();
            for (Result held : results) {
                if (!ReplaceRule.replacesPacked(probe(incoming), probe(held))) {
                    ordinals.append(held.ordinal());
                }
            }
            kept[incoming.ordinal()] = ordinals.toString().getBytes(StandardCharsets.US_ASCII);
        }
        return kept;
    }

    private static byte[] probe(Result r) {
        return PackedVerdict.pack(Verdict.builder(r, Stage.RCPT).build(), "");
    }
}
