package io.github.jamescbv.dns;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The resolver's own threads: a small Netty event loop group that does the DNS network I/O,
 * runs the timers (query deadlines, server failover) and completes every stage the resolver
 * hands out. Event loops never wait, so two threads carry thousands of lookups in flight.
 */
final class DnsThreads {
    private DnsThreads() {
    }

    /**
     * A group of {@code threads} event loops on daemon threads named "cbv-dns-N". Daemon: an
     * engine someone forgot to close must not keep the JVM alive. Netty removes cancelled
     * timers from its queue, so the thousands of deadlines that never fire do not pile up.
     */
    static EventLoopGroup newGroup(int threads) {
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            // FastThreadLocalThread: Netty's buffer pools keep their per-thread caches without a cleaner thread
            Thread t = new FastThreadLocalThread(r, "cbv-dns-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return new NioEventLoopGroup(threads, factory);
    }
}
