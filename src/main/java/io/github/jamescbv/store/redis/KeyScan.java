package io.github.jamescbv.store.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Walks the keys matching a pattern with SCAN, a batch per call, never KEYS (which would hold
 * Redis for the whole key space at once). Each batch is one bounded call; a key written during
 * the walk may or may not be seen, as SCAN promises no more.
 *
 * <p>On a Redis Cluster, SCAN sees the keys of the master it is sent to: the walk goes through
 * every master the link knows, one after the other ({@link RedisLink#masters}). The keys a
 * batch names are deleted through the link, which sends one DEL per slot (a domain's addresses
 * share one).
 */
final class KeyScan {
    private static final int BATCH = 500;

    private final RedisLink link;

    KeyScan(RedisLink link) {
        this.link = link;
    }

    /** How many keys match {@code pattern}. */
    CompletableFuture<Long> count(String pattern) {
        return everyMaster(pattern, false);
    }

    /** Deletes every key matching {@code pattern}; completes with how many went. */
    CompletableFuture<Long> delete(String pattern) {
        return everyMaster(pattern, true);
    }

    private CompletableFuture<Long> everyMaster(String pattern, boolean delete) {
        return link.masters().thenCompose(masters -> {
            CompletableFuture<Long> sum = CompletableFuture.completedFuture(0L);
            for (RedisNode master : masters) {
                sum = sum.thenCompose(sofar -> walk(master, ScanCursor.INITIAL, pattern, sofar, delete));
            }
            return sum;
        });
    }

    private CompletableFuture<Long> walk(RedisNode node, ScanCursor cursor, String pattern, long sofar, boolean delete) {
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(BATCH);
        return node.<KeyScanCursor<String>>call(c -> c.scan(cursor, args)).thenCompose(batch -> {
            List<String> found = batch.getKeys();
            CompletableFuture<Long> done = !delete || found.isEmpty()
                ? CompletableFuture.completedFuture(delete ? 0L : found.size())
                : link.call(c -> c.del(found.toArray(new String[0])));
            return done.thenCompose(n -> batch.isFinished() ? CompletableFuture.completedFuture(sofar + n)
                : walk(node, batch, pattern, sofar + n, delete));
        });
    }
}
