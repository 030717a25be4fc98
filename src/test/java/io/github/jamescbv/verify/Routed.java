package io.github.jamescbv.verify;

import io.github.jamescbv.core.CallbackTarget;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;

/** The engine tests ask for an address as the callers do: routed once, by the map, before the engine. */
public final class Routed {
    private Routed() {
    }

    public static CallbackTarget target(DomainMap map, String address) throws InvalidAddressException {
        return map.route(EmailAddress.parse(address));
    }

    /** Unmapped: the MX hosts of the address's own domain. */
    public static CallbackTarget target(String address) throws InvalidAddressException {
        return target(DomainMap.EMPTY, address);
    }
}
