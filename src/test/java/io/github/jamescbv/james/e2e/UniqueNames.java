package io.github.jamescbv.james.e2e;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names no other test of the class uses: one James serves the whole class, and its verdict cache
 * and mail repositories remember every sender and subject. The prefix stays first because the
 * scripted MX answers by it ({@code pass}, {@code error}, {@code held}...).
 */
final class UniqueNames {
    private final AtomicInteger counter = new AtomicInteger();

    String unique(String prefix) {
        return prefix + "-" + counter.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }
}
