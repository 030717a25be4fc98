package io.github.jamescbv.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What a test started (peers, servers), closed last first: what started later may depend on
 * what started earlier. Closing goes on past a failure, and the first one is thrown at the end.
 */
public final class StartedInOrder implements AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();

    /** Records {@code resource} as started; returns it. */
    public synchronized <T extends AutoCloseable> T add(T resource) {
        started.add(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        RuntimeException first = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("stopping " + started.get(i), e);
                }
            }
        }
        started.clear();
        if (first != null) {
            throw first;
        }
    }
}
