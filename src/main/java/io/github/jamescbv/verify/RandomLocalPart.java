package io.github.jamescbv.verify;

import java.security.SecureRandom;

/**
 * Local parts that almost certainly do not exist, for the catch-all check: {@code cbv-} and 16
 * characters of lower-case base32 (80 bits), a valid dot-atom that every server accepts in a
 * command. The prefix lets the remote's administrator recognise the probe in a log.
 *
 * <p>From {@link SecureRandom}, not a plain PRNG: a domain that could predict our next random
 * address could reject exactly that one while accepting everything else, and pass for a
 * domain that checks its recipients. Thread-safe.
 */
final class RandomLocalPart {
    static final String PREFIX = "cbv-";
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int LENGTH = 16;

    private final SecureRandom random = new SecureRandom();

    String next() {
        byte[] bytes = new byte[LENGTH];
        random.nextBytes(bytes);
        StringBuilder sb = new StringBuilder(PREFIX.length() + LENGTH).append(PREFIX);
        for (byte b : bytes) {
            sb.append(BASE32[b & 31]); // 256 is a multiple of 32: every character equally likely
        }
        return sb.toString();
    }
}
