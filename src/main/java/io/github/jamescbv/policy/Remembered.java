package io.github.jamescbv.policy;

import io.github.jamescbv.core.Verdict;
import java.time.Instant;
import java.util.Objects;

/** One thing a {@link VerdictMemory} holds: under which scope and key, what, and until when. */
public final class Remembered {
    private final CacheScope scope;
    private final String key;
    private final Verdict verdict;
    private final long expiresAtMillis;

    /** @param expiresAtMillis wall-clock epoch milliseconds */
    public Remembered(CacheScope scope, String key, Verdict verdict, long expiresAtMillis) {
        this.scope = Objects.requireNonNull(scope, "scope");
        this.key = Objects.requireNonNull(key, "key");
        this.verdict = Objects.requireNonNull(verdict, "verdict");
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

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Remembered)) {
            return false;
        }
        Remembered r = (Remembered) o;
        return scope == r.scope && key.equals(r.key) && verdict.equals(r.verdict) && expiresAtMillis == r.expiresAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scope, key, verdict, expiresAtMillis);
    }

    @Override
    public String toString() {
        return scope + " " + key + " until " + expiresAt() + ": " + verdict;
    }
}
