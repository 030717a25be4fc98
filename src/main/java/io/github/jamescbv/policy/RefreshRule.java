package io.github.jamescbv.policy;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Verdict;

/**
 * When a remembered pass is due to be renewed, the same for every store: once it is
 * {@link CacheSettings#passRefresh()} old, it still answers, marked {@link Verdict#refreshing()},
 * and whoever verifies starts one callback in the background to renew it ({@link GuardedVerifier}).
 * Only a pass: an error or a transient is asked again when it expires, as before.
 *
 * <p>A pass whose age is unknown (remembered by an earlier version, without the time) is due: one
 * callback renews it and its age is known from then on.
 */
public final class RefreshRule {
    private final long refreshMillis;

    public RefreshRule(CacheSettings settings) {
        this.refreshMillis = settings.passRefresh().toMillis();
    }

    /** Whether {@code packed}, held at {@code nowMillis} (the store's wall clock), is a pass due for renewal. */
    public boolean due(byte[] packed, long nowMillis) {
        if (refreshMillis == 0 || PackedVerdict.result(packed) != Result.PASS) {
            return false;
        }
        long madeAt = PackedVerdict.madeAtMillis(packed);
        return madeAt == 0 || nowMillis - madeAt >= refreshMillis;
    }

    /**
     * When the verdict {@code held} shows becomes due, in wall-clock epoch milliseconds, for a copy
     * kept elsewhere (a near-cache) that must not be served unmarked after it; {@link Long#MAX_VALUE}
     * when never, or when it is marked already.
     */
    public long dueAtMillis(Remembered held) {
        Verdict v = held.verdict();
        if (refreshMillis == 0 || v.result() != Result.PASS || v.refreshing() || held.madeAtMillis() == 0) {
            return Long.MAX_VALUE;
        }
        return ResultTtls.expiry(held.madeAtMillis(), refreshMillis);
    }

    /** {@code packed} unpacked, marked refreshing when {@link #due}. */
    public Verdict unpack(byte[] packed, String impliedDomain, long nowMillis) {
        Verdict v = PackedVerdict.unpack(packed, impliedDomain);
        return due(packed, nowMillis) ? v.toBuilder().refreshing(true).build() : v;
    }

    /**
     * What a store shows of an entry it holds: a verdict marked as {@link #unpack} marks it, an
     * accept-all fact (a pass that is no answer) never; with when it was made and its expiry.
     */
    public Remembered remembered(CacheScope scope, String key, byte[] packed, String impliedDomain, long nowMillis,
                                 long expiresAtMillis) {
        Verdict v = scope == CacheScope.ACCEPT_ALL ? PackedVerdict.unpack(packed, impliedDomain)
            : unpack(packed, impliedDomain, nowMillis);
        return new Remembered(scope, key, v, PackedVerdict.madeAtMillis(packed), expiresAtMillis);
    }
}
