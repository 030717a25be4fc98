package io.github.jamescbv.policy;

/**
 * How a store shared between nodes fares, as this node sees it: read by the metrics, so that an
 * operator sees a node working alone without reading its log.
 */
public interface SharedStoreHealth {
    /** What the store holds, a word for metric names: {@code verdicts} or {@code limits}. */
    String holds();

    /** Whether it answers (else this node answers alone). */
    boolean shared();

    /** Times this node fell back to its own memory or limits. */
    long fallbacks();

    /** Times it answered again after a fallback. */
    long recoveries();
}
