package io.github.jamescbv.verify;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;

/** The engine tests ask for an address as the callers do: routed once by the engine settings' map. */
public final class Routed {
    private Routed() {
    }

    public static CallbackTarget target(CallbackVerifier engine, String address) throws InvalidAddressException {
        return engine.settings().map().route(EmailAddress.parse(address));
    }
}
