package io.github.jamescbv.store.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The masters of a Redis Cluster, each on its own connection, for what walks the key space:
 * SCAN sees the keys of the node it is sent to only. Not lettuce's own cluster SCAN: it opens
 * a master's connection by waiting for it, and waited on lettuce's event loop (where our calls
 * go on after a reply) it waits for itself. Here a master's connection is asked without waiting,
 * as the cluster connection routes any other command.
 */
final class ClusterMasters {
    private ClusterMasters() {
    }

    /** The masters the cluster connection knows now (its last topology), once connected to each. */
    static CompletableFuture<List<RedisNode>> of(StatefulRedisClusterConnection<String, byte[]> cluster, Duration timeout) {
        List<CompletableFuture<RedisNode>> masters = cluster.getPartitions().stream()
            .filter(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM))
            .map(n -> cluster.getConnectionAsync(n.getNodeId()).thenApply(c -> (RedisNode) new Master(c, timeout)))
            .collect(Collectors.toList());
        return CompletableFuture.allOf(masters.toArray(new CompletableFuture<?>[0]))
            .thenApply(all -> masters.stream().map(CompletableFuture::join).collect(Collectors.toList()));
    }

    /** One master's own connection, bounded as the link's calls are. */
    private static final class Master implements RedisNode {
        private final StatefulRedisConnection<String, byte[]> connection;
        private final Duration timeout;

        Master(StatefulRedisConnection<String, byte[]> connection, Duration timeout) {
            this.connection = connection;
            this.timeout = timeout;
        }

        @Override
        public <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<String, byte[]>, RedisFuture<T>> command) {
            return RedisLink.bounded(() -> command.apply(connection.async()).toCompletableFuture(), timeout);
        }
    }
}
