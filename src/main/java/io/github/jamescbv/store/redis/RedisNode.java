package io.github.jamescbv.store.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Where a command goes: the {@link RedisLink} (lettuce routes it), or one master of a cluster. */
interface RedisNode {
    /** The command's reply, or a stage failed by Redis, by the link's timeout, or by the command throwing. */
    <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<String, byte[]>, RedisFuture<T>> command);
}
