package io.github.jamescbv.store.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

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
 * answering alone for a while just after it started. A node's start also waits for it
 * ({@link #awaitConnection}): the first mail may come before it is made (in a fresh JVM on a busy
 * machine it took 0.9 to 2.6 s). Once connected, lettuce reconnects by
 * itself; meanwhile commands are refused at once instead of piling up in its buffer.
 *
 * <p>One Redis (or a Sentinel's master), or a Redis Cluster ({@link RedisSettings#cluster()}):
 * then lettuce's cluster connection sends each command to the master of its key's slot and
 * follows the cluster's changes ({@link LinkOptions#cluster}). Callers see the same commands
 * either way ({@link RedisClusterAsyncCommands}, what both connections answer), and keep every
 * key of one script in one slot ({@link RedisKeys}). A walk over every key goes to each master
 * in turn ({@link #masters}).
 *
 * <p>Commands go out in the order they were asked, on one connection per Redis node: a write
 * asked before a later read of the same slot is seen by that read. Every key of one domain is in
 * one slot, so that holds for all we keep about a domain, its addresses and its callbacks.
 */
public final class RedisLink implements RedisNode, AutoCloseable {
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final AbstractRedisClient client;
    private final Supplier<CompletableFuture<Session>> connect;
    private final Duration timeout;
    /** Ours, not the client's: a client shuts down only the resources it made itself. */
    private final ClientResources resources;
    private final Object lock = new Object();
    private CompletableFuture<Session> connection;
    private boolean closed;
    /** Calls not answered yet: the connection closes after them (each is bounded), so that a stop's releases reach Redis. */
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

    /** @throws IllegalArgumentException when a URL is no lettuce URI */
    public RedisLink(RedisSettings settings) {
        this.timeout = settings.timeout();
        this.resources = LinkOptions.resources();
        List<RedisURI> uris = settings.urls().stream().map(u -> LinkOptions.uri(u, timeout)).collect(Collectors.toList());
        if (settings.cluster()) {
            RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
            cluster.setOptions(LinkOptions.cluster(timeout));
            this.client = cluster;
            // lettuce connects a cluster only once it knows the topology: asked of the seeds first, again at each new attempt.
            this.connect = () -> cluster.refreshPartitionsAsync().toCompletableFuture()
                .thenCompose(topology -> cluster.connectAsync(CODEC))
                .thenApply(c -> new Session(c, c.async(), () -> ClusterMasters.of(c, timeout)));
        } else {
            RedisClient standalone = RedisClient.create(resources);
            standalone.setOptions(LinkOptions.standalone(timeout));
            RedisURI uri = uris.get(0);
            this.client = standalone;
            List<RedisNode> alone = List.of(this);
            this.connect = () -> standalone.connectAsync(CODEC, uri).toCompletableFuture()
                .thenApply(c -> new Session(c, c.async(), () -> CompletableFuture.completedFuture(alone)));
        }
        connection(); // not waited for: see above
    }

    /** The command's reply, or a stage failed by Redis, by the timeout, or by the command throwing. */
    @Override
    public <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<String, byte[]>, RedisFuture<T>> command) {
        CompletableFuture<T> reply = bounded(() -> connection().thenCompose(s -> command.apply(s.commands)), timeout);
        inFlight.add(reply);
        reply.whenComplete((v, e) -> inFlight.remove(reply));
        return reply;
    }

    /**
     * Every master of the cluster, each on its own connection; this link alone when it is no
     * cluster. For the walks over every key (SCAN), which a cluster answers per master.
     */
    CompletableFuture<List<RedisNode>> masters() {
        return bounded(() -> connection().thenCompose(s -> s.masters.get()), timeout);
    }

    /** {@code ask}'s stage bounded by {@code timeout}; failed, not thrown, when {@code ask} throws. */
    static <T> CompletableFuture<T> bounded(Supplier<CompletableFuture<T>> ask, Duration timeout) {
        CompletableFuture<T> reply;
        try {
            reply = ask.get();
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits, at most {@code bound}, for the connection opened when the link was made; whether it
     * is open. For a node's start ({@link RedisProtections}): opened without waiting, the first
     * connection may still be under way when James takes its first mail, which then finds a
     * healthy Redis unavailable. Not open within the bound: the calls try again, as they would.
     */
    public boolean awaitConnection(Duration bound) {
        try {
            connection().get(bound.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs {@code task} after {@code delay} on the client's own threads (never ours to block). */
    public void schedule(Runnable task, Duration delay) {
        client.getResources().eventExecutorGroup().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    public Duration timeout() {
        return timeout;
    }

    private CompletableFuture<Session> connection() {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("redis link closed"));
            }
            if (connection == null || connection.isCompletedExceptionally()) {
                connection = connect.get();
            }
            return connection;
        }
    }

    /** Refuses new calls; closes the connection once the calls under way are answered (or timed out), then the client's threads; never waits. Idempotent. */
    @Override
    public void close() {
        CompletableFuture<Session> open;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            open = connection;
        }
        CompletableFuture<Void> answered = CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0]))
            .handle((v, e) -> null);
        CompletableFuture<Void> connectionClosed = open == null ? CompletableFuture.completedFuture(null)
            : answered.thenCompose(ignored -> open.handle((s, e) -> s))
                .thenCompose(s -> s == null ? CompletableFuture.completedFuture(null) : s.connection.closeAsync());
        connectionClosed.whenComplete((v, e) -> client.shutdownAsync(0, 2, TimeUnit.SECONDS)
            .whenComplete((w, f) -> resources.shutdown(0, 2, TimeUnit.SECONDS)));
    }

    /** An open connection, its commands as both kinds of connection answer them, and how to reach its masters. */
    private static final class Session {
        final StatefulConnection<String, byte[]> connection;
        final RedisClusterAsyncCommands<String, byte[]> commands;
        final Supplier<CompletableFuture<List<RedisNode>>> masters;

        Session(StatefulConnection<String, byte[]> connection, RedisClusterAsyncCommands<String, byte[]> commands,
                Supplier<CompletableFuture<List<RedisNode>>> masters) {
            this.connection = connection;
            this.commands = commands;
            this.masters = masters;
        }
    }
}
