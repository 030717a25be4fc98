package io.github.jamescbv.james.e2e;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * The addresses whose callback the scripted MX holds at RCPT TO until the test releases them:
 * the way a test makes "the verdict is not in yet" last exactly as long as it needs, without
 * sleeping. One latch per address, made by whichever side asks first (the MX's script or the test).
 */
final class HeldAddresses {
    private final Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();

    /** The latch the MX's answer to RCPT TO:&lt;address&gt; waits on. */
    CountDownLatch latch(String address) {
        return latches.computeIfAbsent(address, a -> new CountDownLatch(1));
    }

    /** Lets the MX answer for {@code address}, now or as soon as it is asked. */
    void release(String address) {
        latch(address).countDown();
    }

    /** Releases every held answer, so that no scripted connection thread outlives the test class. */
    void releaseAll() {
        latches.values().forEach(CountDownLatch::countDown);
    }
}
