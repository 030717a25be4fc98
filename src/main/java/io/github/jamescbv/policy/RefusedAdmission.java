package io.github.jamescbv.policy;

/** A refused {@link Admission}: holds nothing, so release() has nothing to do. */
final class RefusedAdmission implements Admission {
    private final String reason;

    RefusedAdmission(String reason) {
        this.reason = reason;
    }

    @Override
    public boolean granted() {
        return false;
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public void release() {
    }

    @Override
    public String toString() {
        return "refused: " + reason;
    }
}
