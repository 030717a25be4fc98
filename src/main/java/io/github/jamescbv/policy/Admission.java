package io.github.jamescbv.policy;

/**
 * The outcome of asking for room to make a callback: granted (release it when the callback
 * ends) or refused with a reason. Never an exception: a refusal is an answer.
 */
public interface Admission {
    boolean granted();

    /** Why it was refused, e.g. "verification capacity exceeded"; "" when granted. */
    String reason();

    /** Gives back what was granted; idempotent; a no-op for a refusal. */
    void release();

    /** A refused admission: holds nothing, so release() has nothing to do. */
    static Admission refused(String reason) {
        return new Refusal(reason);
    }
}
