package io.github.jamescbv.policy;

import io.github.jamescbv.core.Verdict;

/** For the benchmarks (another package): the cache's packed form, which stays package-private in main. */
public final class PackedVerdictAccess {
    private PackedVerdictAccess() {
    }

    public static byte[] pack(Verdict verdict, String impliedDomain) {
        return PackedVerdict.pack(verdict, impliedDomain);
    }
}
