package io.github.jamescbv.store.redis;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.policy.CacheScope;
import io.github.jamescbv.policy.PackedVerdict;
import io.github.jamescbv.policy.RefreshRule;
import io.github.jamescbv.policy.Remembered;
import java.nio.ByteBuffer;

/**
 * A verdict as it sits in Redis: its expiry (wall-clock epoch milliseconds, 8 bytes big-endian)
 * followed by the {@link PackedVerdict}. The key also has a Redis TTL, which frees the memory;
 * the expiry inside is what decides whether it still answers, on the store's
 * {@link io.github.jamescbv.core.Ticker}, so that every node, and a test's clock, agree to the
 * millisecond on when it ends, and {@link io.github.jamescbv.policy.Remembered} can show it.
 * The result byte comes right after the expiry: the put script reads both without unpacking.
 */
final class StoredVerdict {
    static final int HEADER = Long.BYTES;
    private static final int RESULTS = Result.values().length;

    private final long expiresAtMillis;
    private final byte[] packed;

    private StoredVerdict(long expiresAtMillis, byte[] packed) {
        this.expiresAtMillis = expiresAtMillis;
        this.packed = packed;
    }

    static byte[] encode(long expiresAtMillis, byte[] packed) {
        return ByteBuffer.allocate(HEADER + packed.length).putLong(expiresAtMillis).put(packed).array();
    }

    /**
     * What {@code stored} holds, or null when nothing is stored or it has expired by {@code nowMillis}.
     *
     * @throws UnreadableReply when it is not something {@link #encode} made
     */
    static StoredVerdict decode(byte[] stored, long nowMillis) {
        if (stored == null) {
            return null;
        }
        if (stored.length <= HEADER || stored[HEADER] < 0 || stored[HEADER] >= RESULTS) {
            throw new UnreadableReply("not a stored verdict (" + stored.length + " bytes)");
        }
        long expiresAt = ByteBuffer.wrap(stored, 0, HEADER).getLong();
        if (expiresAt <= nowMillis) {
            return null;
        }
        byte[] packed = new byte[stored.length - HEADER];
        System.arraycopy(stored, HEADER, packed, 0, packed.length);
        return new StoredVerdict(expiresAt, packed);
    }

    /**
     * The verdict, marked by {@code rule} as of {@code nowMillis}.
     *
     * @throws UnreadableReply when the packed verdict does not unpack
     */
    Verdict verdict(String impliedDomain, RefreshRule rule, long nowMillis) {
        try {
            return rule.unpack(packed, impliedDomain, nowMillis);
        } catch (RuntimeException e) {
            throw new UnreadableReply("not a packed verdict", e);
        }
    }

    /**
     * As the store shows it under {@code scope} and {@code key}.
     *
     * @throws UnreadableReply when the packed verdict does not unpack
     */
    Remembered remembered(CacheScope scope, String key, String impliedDomain, RefreshRule rule, long nowMillis) {
        try {
            return rule.remembered(scope, key, packed, impliedDomain, nowMillis, expiresAtMillis);
        } catch (RuntimeException e) {
            throw new UnreadableReply("not a packed verdict", e);
        }
    }
}
