package io.github.jamescbv.bench;

import java.util.ArrayList;
import java.util.List;

/** A sender of the race's workload, and whether the remote Postfix has its mailbox. */
final class RaceSender {
    final String address;
    final boolean exists;

    private RaceSender(String address, boolean exists) {
        this.address = address;
        this.exists = exists;
    }

    /**
     * {@code count} distinct senders {@code PREFIX-I@domain}: every other one exists (even I),
     * so that both answers, accept and reject, are half the work. A prefix per batch keeps the
     * batches apart: each one is a cold cache for both systems.
     */
    static List<RaceSender> batch(String prefix, int count, String domain) {
        List<RaceSender> senders = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            senders.add(new RaceSender(prefix + "-" + i + "@" + domain, i % 2 == 0));
        }
        return senders;
    }
}
