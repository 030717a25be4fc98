package io.github.jamescbv.smtp;

import io.github.jamescbv.core.Ticker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ProbeClient} on Netty NIO: all probes share a fixed number of I/O threads
 * ({@code cbv-smtp-N}) and one {@link TlsClient}, each probe's connection an {@link SmtpConnection}
 * driven by its own {@link ProbeSession}. The TLS handshakes run on the I/O threads too (the JDK's
 * engine, its tasks run in place): a few milliseconds of CPU each, no thread of their own.
 *
 * <p><b>Connection reuse</b> ({@link #reuse}, off until configured): after its verdict a probe
 * leaves its connection in the client's {@link ConnectionPool}, for the next probe to the same
 * route; the pool also bounds the connections open to each called-back domain, busy or idle.
 *
 * <p>The returned stages complete on an I/O thread: dependent actions must not block (use the
 * {@code *Async} variants with an executor of your own for anything slow).
 */
public final class NettyProbeClient implements ProbeClient, ProbeSession.Connections, ConnectionCounts {
    private static final Logger LOG = LoggerFactory.getLogger(NettyProbeClient.class);
    private static final String CLOSED_DETAIL = "probe client closed";
    /** How long close() waits for the kept connections' QUIT before it stops the threads. */
    private static final long LEAVE_WAIT_MILLIS = 1_000;

    private final NioEventLoopGroup group;
    private final Bootstrap bootstrap;
    private final TlsClient tls = new TlsClient();
    private final ConnectionPool pool = new ConnectionPool(Ticker.SYSTEM);
    private final Set<ProbeSession> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param ioThreads how many I/O threads all probes share; a couple serve thousands of connections */
    public NettyProbeClient(int ioThreads) {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1, not " + ioThreads);
        }
        this.group = new NioEventLoopGroup(ioThreads, new IoThreadFactory("cbv-smtp-"));
        this.bootstrap = new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            // Targets arrive resolved; never let a blocking name lookup onto an I/O thread.
            .resolver(NoopAddressResolverGroup.INSTANCE)
            .option(ChannelOption.TCP_NODELAY, true);
    }

    /**
     * Keeps connections between probes as {@code settings} says ({@link ReuseSettings#OFF}: never),
     * and bounds the connections open to one called-back domain, busy or idle.
     *
     * @param connectionsPerDomain at most this many open to one domain; 0: no bound
     */
    public void reuse(ReuseSettings settings, int connectionsPerDomain) {
        pool.configure(Objects.requireNonNull(settings, "settings"), connectionsPerDomain);
    }

    @Override
    public CompletionStage<ProbeOutcome> probe(ProbeRequest request) {
        Objects.requireNonNull(request, "request");
        ProbeSession session = new ProbeSession(request, this);
        CompletableFuture<ProbeOutcome> outcome = session.outcome();
        inFlight.add(session);
        // Tracked until the follow-ups are done too, so that close() can settle them.
        session.finished().whenComplete((o, e) -> inFlight.remove(session));
        // Checked after adding, so that a concurrent close() either sees this session or is seen here.
        if (closed.get()) {
            session.abort(CLOSED_DETAIL);
        } else if (request.route().address().isUnresolved()) {
            session.abort("target address is not resolved: " + request.route().address().getHostString());
        } else if (!pool.take(request.route(), request.domain(), session)) {
            start(session);
        }
        // A copy, so that a caller completing "its" future cannot complete ours.
        return outcome.copy();
    }

    /**
     * Another connection of a probe: its clear-text retry after a failed STARTTLS, the extra
     * connection of a probe whose server dropped the first one during the follow-ups, or a new one
     * when a kept connection failed it.
     */
    @Override
    public void open(ProbeSession session) {
        if (closed.get()) {
            session.abort(CLOSED_DETAIL);
        } else {
            start(session);
        }
    }

    private void start(ProbeSession session) {
        try {
            ChannelFuture connect = session.connect(bootstrap);
            if (connect != null) {
                openConnections.incrementAndGet();
                KeptConnection kept = session.kept();
                connect.channel().closeFuture().addListener(f -> {
                    openConnections.decrementAndGet();
                    pool.closed(kept);
                });
            }
        } catch (RuntimeException e) { // e.g. rejected because close() shut the threads down meanwhile
            LOG.debug("probe could not start", e);
            session.abort(closed.get() ? CLOSED_DETAIL : "could not start: " + e);
        }
    }

    /** Connections opened by this client and not closed yet: for monitoring, and for tests that hunt leaks. */
    @Override
    public int openConnections() {
        return openConnections.get();
    }

    /** Connections kept idle for the next probe now. */
    @Override
    public int idleConnections() {
        return pool.idleConnections();
    }

    /** Probes that began on a kept connection since this client started. */
    @Override
    public long reusedConnections() {
        return pool.reusedConnections();
    }

    /** Connections open to {@code domain} as the per-domain bound counts them (tests). */
    int openConnections(String domain) {
        return pool.openConnections(domain);
    }

    @Override
    public ConnectionPool pool() {
        return pool;
    }

    @Override
    public TlsClient tls() {
        return tls;
    }

    /** Probes whose outcome, or whose follow-ups, are not known yet. */
    public int probesInFlight() {
        return inFlight.size();
    }

    /**
     * Sends the kept connections away (QUIT), completes the probes in flight as {@code INTERNAL}
     * failures (follow-ups still waiting are given up), then stops the I/O threads, which closes
     * every connection. Waits (bounded) for the kept connections' QUIT and for the threads to end
     * unless called on one.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<KeptConnection> leaving = pool.close();
        for (ProbeSession session : inFlight) {
            session.abort(CLOSED_DETAIL);
        }
        if (!onOwnThread()) {
            awaitClosed(leaving);
        }
        io.netty.util.concurrent.Future<?> terminated = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (!onOwnThread() && !terminated.awaitUninterruptibly(10, TimeUnit.SECONDS)) {
            LOG.warn("SMTP probe I/O threads did not stop within 10s");
        }
    }

    /** Waits, at most {@link #LEAVE_WAIT_MILLIS} in all, for the remote's 221 to the kept connections' QUIT. */
    private static void awaitClosed(List<KeptConnection> leaving) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEAVE_WAIT_MILLIS);
        for (KeptConnection k : leaving) {
            long left = until - System.nanoTime();
            if (left <= 0 || !k.connection().closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                return;
            }
        }
    }

    private boolean onOwnThread() {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "NettyProbeClient[threads=" + group.executorCount() + ", open=" + openConnections.get()
            + ", idle=" + pool.idleConnections()
            + ", inFlight=" + inFlight.size() + (closed.get() ? ", closed" : "") + "]";
    }
}
