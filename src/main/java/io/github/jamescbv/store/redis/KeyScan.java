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
 * <p>On a Redis Cluster, lettuce's cluster connection walks every master in turn: the cursor it
 * returns names the masters and the one under way, so it is handed back as it came, never
 * rebuilt from its text. Masters added during a walk are not seen by it; the keys a batch names
 * are deleted in one DEL per slot (lettuce splits it), and a domain's addresses share one slot.
 */
final class KeyScan {
    private static final int BATCH = 500;

    private final RedisLink link;

    KeyScan(RedisLink link) {
        this.link = link;
    }

    /** How many keys match {@code pattern}. */
    CompletableFuture<Long> count(String pattern) {
        return walk(ScanCursor.INITIAL, pattern, 0, false);
    }

    /** Deletes every key matching {@code pattern}; completes with how many went. */
    CompletableFuture<Long> delete(String pattern) {
        return walk(ScanCursor.INITIAL, pattern, 0, true);
    }

    private CompletableFuture<Long> walk(ScanCursor cursor, String pattern, long sofar, boolean delete) {
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(BATCH);
        return link.<KeyScanCursor<String>>call(c -> c.scan(cursor, args)).thenCompose(batch -> {
            List<String> found = batch.getKeys();
            CompletableFuture<Long> done = !delete || found.isEmpty()
                ? CompletableFuture.completedFuture(delete ? 0L : found.size())
                : link.call(c -> c.del(found.toArray(new String[0])));
            return done.thenCompose(n -> batch.isFinished() ? CompletableFuture.completedFuture(sofar + n)
                : walk(batch, pattern, sofar + n, delete));
        });
    }
}
