package io.github.jamescbv.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time the threads of this JVM used between two snapshots, by owner: James (its engine
 * included), the engine alone, and the scripted remotes. On two cores where the clients, the
 * remotes and James all run, throughput says how much was done; this says who spent the CPU.
 * Thread CPU time includes the kernel time of the thread's system calls (loopback TCP).
 *
 * <p>A thread that ended between the snapshots is missed; the benchmark's client threads,
 * which end with each run, report their own time instead.
 */
final class CpuUse {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    enum Owner {
        /** Every thread that is neither a remote nor a client: James's, its engine's, the JVM's. */
        JAMES,
        /** The callback engine's threads (a part of {@link #JAMES}). */
        ENGINE,
        /** The scripted MX servers: on the Internet, someone else's machine. */
        REMOTES
    }

    private final Map<Long, Sample> samples;
    private final long processNanos;

    private static final class Sample {
        final String name;
        final long cpuNanos;

        Sample(String name, long cpuNanos) {
            this.name = name;
            this.cpuNanos = cpuNanos;
        }
    }

    private CpuUse(Map<Long, Sample> samples, long processNanos) {
        this.samples = samples;
        this.processNanos = processNanos;
    }

    static CpuUse snapshot() {
        Map<Long, Sample> samples = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long cpu = THREADS.getThreadCpuTime(t.getId());
            if (cpu >= 0) {
                samples.put(t.getId(), new Sample(t.getName(), cpu));
            }
        }
        return new CpuUse(samples, processCpuNanos());
    }

    /** CPU nanoseconds used since {@code before}, by owner; threads started since count from zero. */
    Map<Owner, Long> since(CpuUse before) {
        Map<Owner, Long> used = new HashMap<>();
        for (Owner o : Owner.values()) {
            used.put(o, 0L);
        }
        for (Map.Entry<Long, Sample> e : samples.entrySet()) {
            Sample was = before.samples.get(e.getKey());
            long delta = e.getValue().cpuNanos - (was == null ? 0 : was.cpuNanos);
            String name = e.getValue().name;
            if (name.startsWith(JamesBench.REMOTE_THREAD_PREFIX)) {
                used.merge(Owner.REMOTES, delta, Long::sum);
            } else if (!name.startsWith(JamesBench.OWN_THREAD_PREFIX)) {
                used.merge(Owner.JAMES, delta, Long::sum);
                if (name.startsWith(JamesBench.ENGINE_THREAD_PREFIX)) {
                    used.merge(Owner.ENGINE, delta, Long::sum);
                }
            }
        }
        return used;
    }

    /** CPU nanoseconds the whole process used since {@code before}, system calls included. */
    long processSince(CpuUse before) {
        return processNanos - before.processNanos;
    }

    /** CPU time of the calling thread. */
    static long currentThreadNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }
}
