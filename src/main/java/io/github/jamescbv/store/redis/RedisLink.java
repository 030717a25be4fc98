package io.github.jamescbv.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One connection to Redis, and the only way our stores talk to it: {@link #call} runs one
 * command and bounds it, so that no caller ever waits on Redis longer than the timeout, and a
 * command that throws instead of failing its future still becomes a failed stage.
 *
 * <p>Keys are text, values bytes (packed verdicts). The connection is opened when the link is
 * made, without waiting: a Redis that is not there at start costs no start-up time, calls fail
 * until it answers, and a failed first connection is tried again by the next call. Opened then,
 * not at the first call: that call would bear the connection's set-up (on a cold JVM, lettuce's
 * too: about 400 ms measured) within its timeout (500 ms by default), fail, and leave the node
 * answering alone for a while just after it started. Once connected, lettuce reconnects by
 * itself; meanwhile commands are refused at once instead of piling up in its buffer.
 *
 * <p>All commands of a link go out on one connection, in the order they were asked: a write
 * asked before a later read of the same node is seen by that read.
 */
public final class RedisLink implements AutoCloseable {
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final RedisClient client;
    private final RedisURI uri;
    private final Duration timeout;
    private final Object lock = new Object();
    private CompletableFuture<StatefulRedisConnection<String, byte[]>> connection;
    private boolean closed;

    /** @throws IllegalArgumentException when the URL is no lettuce URI */
    public RedisLink(RedisSettings settings) {
        this.timeout = settings.timeout();
        this.uri = RedisURI.create(settings.url());
        uri.setTimeout(timeout);
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
        connection(); // not waited for: see above
    }

    /** The command's reply, or a stage failed by Redis, by the timeout, or by the command throwing. */
    public <T> CompletableFuture<T> call(Function<RedisAsyncCommands<String, byte[]>, RedisFuture<T>> command) {
        CompletableFuture<T> reply;
        try {
            reply = connection().thenCompose(c -> command.apply(c.async()));
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} after {@code delay} on the client's own threads (never ours to block). */
    public void schedule(Runnable task, Duration delay) {
        client.getResources().eventExecutorGroup().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    public Duration timeout() {
        return timeout;
    }

    private CompletableFuture<StatefulRedisConnection<String, byte[]>> connection() {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("redis link closed"));
            }
            if (connection == null || connection.isCompletedExceptionally()) {
                connection = client.connectAsync(CODEC, uri).toCompletableFuture();
            }
            return connection;
        }
    }

    /** Closes the connection and the client's threads, without waiting for them. Idempotent. */
    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<String, byte[]>> open;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = connection;
        }
        CompletableFuture<Void> connectionClosed = open == null ? CompletableFuture.completedFuture(null)
            : open.handle((c, e) -> c).thenCompose(c -> c == null ? CompletableFuture.completedFuture(null) : c.closeAsync());
        connectionClosed.whenComplete((v, e) -> client.shutdownAsync(0, 2, TimeUnit.SECONDS));
    }
}
