package io.github.jamescbv.smtp;

/**
 * What an operator sees of a probe client's connections (James's gauges, {@code GET /cbv/stats}):
 * how many are open, how many wait idle for a next probe, and how many probes began on a kept one.
 */
public interface ConnectionCounts {
    /** Before the engine's threads start (no probe yet): nothing open, nothing reused. */
    ConnectionCounts NONE = new ConnectionCounts() {
        @Override
        public int openConnections() {
            return 0;
        }

        @Override
        public int idleConnections() {
            return 0;
        }

        @Override
        public long reusedConnections() {
            return 0;
        }
    };

    /** Connections open now, busy or idle. */
    int openConnections();

    /** Kept connections waiting idle for a next probe now. */
    int idleConnections();

    /**
     * Probes that began on a kept connection since the client started (one whose kept connection
     * failed under it, and that went on on a new one, included); only grows.
     */
    long reusedConnections();
}
