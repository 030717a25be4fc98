package io.github.jamescbv.james;

import java.util.Objects;

/**
 * What {@link AddressSource} found in one mail: an address to call back, a reason to make no
 * callback at all (no attribute either), or a reason why the address asked for cannot be
 * used (the mailet records {@code transient}, stage policy, with that reason).
 */
final class AddressChoice {
    enum Kind { CALL_BACK, NO_CALLBACK, UNUSABLE }

    private final Kind kind;
    private final String address;
    private final String reason;

    private AddressChoice(Kind kind, String address, String reason) {
        this.kind = kind;
        this.address = Objects.requireNonNull(address);
        this.reason = Objects.requireNonNull(reason);
    }

    /** Call back this address; still raw text from the mail, checked by {@link io.github.jamescbv.core.EmailAddress#parse}. */
    static AddressChoice callBack(String rawAddress) {
        return new AddressChoice(Kind.CALL_BACK, rawAddress, "");
    }

    /** Nothing to verify and nothing to record, e.g. a bounce. */
    static AddressChoice noCallback(String reason) {
        return new AddressChoice(Kind.NO_CALLBACK, "", reason);
    }

    /** The address asked for is missing or unsafe; {@code shown} is what the mail had instead (raw, for the log). */
    static AddressChoice unusable(String shown, String reason) {
        return new AddressChoice(Kind.UNUSABLE, shown, reason);
    }

    Kind kind() {
        return kind;
    }

    /** The address to call back (CALL_BACK) or the unusable text (UNUSABLE); raw, sanitise before logging. */
    String address() {
        return address;
    }

    /** Why there is no callback (NO_CALLBACK, UNUSABLE). */
    String reason() {
        return reason;
    }
}
