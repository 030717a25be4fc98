package io.github.jamescbv.soak;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The heap this JVM (James runs in-process) holds after full garbage collections: the least
 * used bytes seen over several {@code System.gc()} in a row, measured the same way every time.
 */
final class HeapGauge {
    private static final int COLLECTIONS = 5;
    private static final long PAUSE_MS = 300;

    /** One reading. */
    static final class Reading {
        final long usedBytes;

        Reading(long usedBytes) {
            this.usedBytes = usedBytes;
        }

        double mib() {
            return usedBytes / (1024.0 * 1024.0);
        }
    }

    private HeapGauge() {
    }

    static Reading afterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < COLLECTIONS; i++) {
            System.gc();
            // Finalizers and reference handlers run after the collection: give them time, then collect what they freed.
            Thread.sleep(PAUSE_MS);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return new Reading(used);
    }
}
