package io.github.jamescbv.smtp;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names the probe client's I/O threads {@code cbv-smtp-1}, {@code cbv-smtp-2}, ... so that they
 * are easy to spot in thread dumps, and makes them daemons so that a forgotten client never
 * keeps a JVM alive. {@link FastThreadLocalThread} is what Netty's own factory uses.
 */
final class IoThreadFactory implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    IoThreadFactory(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new FastThreadLocalThread(r, prefix + count.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
