package io.github.jamescbv.policy;

import io.github.jamescbv.core.Result;

/**
 * Whether a fresh verdict takes the place of a still-valid one for the same key. A transient
 * answer says only "not now", so it must not undo a pass we still trust (a flaky or
 * greylisting remote would otherwise turn good knowledge into a retry; Postfix's verify
 * cache does the same). A pass or an error is a definite answer and always wins.
 */
public final class ReplaceRule {
    private ReplaceRule() {
    }

    static boolean replaces(Result incoming, Result held) {
        return !(incoming == Result.TRANSIENT && held == Result.PASS);
    }

    /** The same rule for verdicts as the cache keeps them. */
    public static boolean replacesPacked(byte[] incoming, byte[] held) {
        return replaces(PackedVerdict.result(incoming), PackedVerdict.result(held));
    }
}
