package io.github.jamescbv.smtp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
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
 * <p>The returned stages complete on an I/O thread: dependent actions must not block (use the
 * {@code *Async} variants with an executor of your own for anything slow).
 */
public final class NettyProbeClient implements ProbeClient {
    private static final Logger LOG = LoggerFactory.getLogger(NettyProbeClient.class);
    private static final String CLOSED_DETAIL = "probe client closed";

    private final NioEventLoopGroup group;
    private final Bootstrap bootstrap;
    private final TlsClient tls = new TlsClient();
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

    @Override
    public CompletionStage<ProbeOutcome> probe(ProbeRequest request) {
        Objects.requireNonNull(request, "request");
        ProbeSession session = new ProbeSession(request, tls, this::openAnother);
        CompletableFuture<ProbeOutcome> outcome = session.outcome();
        inFlight.add(session);
        // Tracked until the follow-ups are done too, so that close() can settle them.
        session.finished().whenComplete((o, e) -> inFlight.remove(session));
        // Checked after adding, so that a concurrent close() either sees this session or is seen here.
        if (closed.get()) {
            session.abort(CLOSED_DETAIL);
        } else if (request.route().address().isUnresolved()) {
            session.abort("target address is not resolved: " + request.route().address().getHostString());
        } else {
            start(session);
        }
        // A copy, so that a caller completing "its" future cannot complete ours.
        return outcome.copy();
    }

    /**
     * Another connection of a probe: its clear-text retry after a failed STARTTLS, or the extra
     * connection of a probe whose server dropped the first one during the follow-ups.
     */
    private void openAnother(ProbeSession session) {
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
                connect.channel().closeFuture().addListener(f -> openConnections.decrementAndGet());
            }
        } catch (RuntimeException e) { // e.g. rejected because close() shut the threads down meanwhile
            LOG.debug("probe could not start", e);
            session.abort(closed.get() ? CLOSED_DETAIL : "could not start: " + e);
        }
    }

    /** Connections opened by this client and not closed yet: for monitoring, and for tests that hunt leaks. */
    public int openConnections() {
        return openConnections.get();
    }

    /** Probes whose outcome, or whose follow-ups, are not known yet. */
    public int probesInFlight() {
        return inFlight.size();
    }

    /**
     * Completes the probes in flight as {@code INTERNAL} failures (follow-ups still waiting are
     * given up), then stops the I/O threads,
     * which closes every connection. Waits (bounded) for the threads to end unless called on one.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ProbeSession session : inFlight) {
            session.abort(CLOSED_DETAIL);
        }
        io.netty.util.concurrent.Future<?> terminated = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (!onOwnThread() && !terminated.awaitUninterruptibly(10, TimeUnit.SECONDS)) {
            LOG.warn("SMTP probe I/O threads did not stop within 10s");
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
            + ", inFlight=" + inFlight.size() + (closed.get() ? ", closed" : "") + "]";
    }
}
