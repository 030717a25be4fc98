package io.github.jamescbv.policy;

import io.github.jamescbv.core.Result;
import java.time.Duration;

/** The lifetime of each result in milliseconds, 0 meaning "never recorded". */
public final class ResultTtls {
    private final long passMillis;
    private final long errorMillis;
    private final long transientMillis;
    private final long dnsFailureMillis;

    ResultTtls(CacheSettings settings) {
        this.passMillis = millis(settings.passTtl());
        this.errorMillis = millis(settings.errorTtl());
        this.transientMillis = millis(settings.transientTtl());
        // Never longer than any other transient: transientTtl 0 keeps no transient at all.
        this.dnsFailureMillis = Math.min(transientMillis, millis(settings.dnsFailureTtl()));
    }

    /** The lifetime of a DNS failure that may be the domain's: dnsFailureTtl, at most transientTtl. */
    long dnsFailureMillis() {
        return dnsFailureMillis;
    }

    long millis(Result result) {
        switch (result) {
            case PASS:
                return passMillis;
            case ERROR:
                return errorMillis;
            default:
                return transientMillis;
        }
    }

    /** The expiry of something recorded at {@code now} for {@code ttlMillis}; saturates instead of overflowing. */
    public static long expiry(long now, long ttlMillis) {
        long sum = now + ttlMillis;
        return ((now ^ sum) & (ttlMillis ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** Below a millisecond rounds up (a non-zero TTL must not silently disable caching); huge values saturate. */
    private static long millis(Duration ttl) {
        if (ttl.isZero()) {
            return 0;
        }
        try {
            return Math.max(1, ttl.toMillis());
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
