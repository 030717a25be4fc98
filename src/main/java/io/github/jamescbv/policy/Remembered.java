package io.github.jamescbv.policy;

import io.github.jamescbv.core.Verdict;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** One thing a {@link VerdictMemory} holds: under which scope and key, what, since when and until when. */
public final class Remembered {
    private final CacheScope scope;
    private final String key;
    private final Verdict verdict;
    private final long expiresAtMillis;
    private final long madeAtMillis;

    /** Made at an unknown time. */
    public Remembered(CacheScope scope, String key, Verdict verdict, long expiresAtMillis) {
        this(scope, key, verdict, 0, expiresAtMillis);
    }

    /**
     * @param madeAtMillis    when it was remembered, wall-clock epoch milliseconds; 0 when unknown
     *                        (remembered by an earlier version)
     * @param expiresAtMillis wall-clock epoch milliseconds
     */
    public Remembered(CacheScope scope, String key, Verdict verdict, long madeAtMillis, long expiresAtMillis) {
        this.scope = Objects.requireNonNull(scope, "scope");
        this.key = Objects.requireNonNull(key, "key");
        this.verdict = Objects.requireNonNull(verdict, "verdict");
        this.madeAtMillis = madeAtMillis;
        this.expiresAtMillis = expiresAtMillis;
    }

    /** {@link CacheScope#ADDRESS}, {@link CacheScope#DOMAIN} (a verdict for every address) or {@link CacheScope#ACCEPT_ALL} (a fact). */
    public CacheScope scope() {
        return scope;
    }

    public String key() {
        return key;
    }

    /** Marked {@code cached=true}. For {@link CacheScope#ACCEPT_ALL}, the pass that learnt the fact. */
    public Verdict verdict() {
        return verdict;
    }

    public long expiresAtMillis() {
        return expiresAtMillis;
    }

    public Instant expiresAt() {
        return Instant.ofEpochMilli(expiresAtMillis);
    }

    /** 0 when unknown. */
    public long madeAtMillis() {
        return madeAtMillis;
    }

    /** When it was remembered; empty when that is unknown. */
    public Optional<Instant> madeAt() {
        return madeAtMillis == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(madeAtMillis));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Remembered)) {
            return false;
        }
        Remembered r = (Remembered) o;
        return scope == r.scope && key.equals(r.key) && verdict.equals(r.verdict) && madeAtMillis == r.madeAtMillis
            && expiresAtMillis == r.expiresAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scope, key, verdict, madeAtMillis, expiresAtMillis);
    }

    @Override
    public String toString() {
        return scope + " " + key + madeAt().map(t -> " since " + t).orElse("") + " until " + expiresAt() + ": " + verdict;
    }
}
