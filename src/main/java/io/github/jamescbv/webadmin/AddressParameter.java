package io.github.jamescbv.webadmin;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import javax.mail.internet.AddressException;
import org.apache.james.core.MailAddress;
import spark.HaltException;
import spark.Request;

/**
 * The {@code {address}} of a route, as Spark decoded it from the path: checked by
 * {@link EmailAddress#parse} before it goes anywhere (a log, the memory, a remote). What it
 * refuses is a {@code 400} either way, told apart for the operator: not a mail address at all,
 * or one that James would take as a sender but that we never put into an SMTP command
 * (non-ASCII, over-long, an address literal), with the reason.
 */
final class AddressParameter {
    static final String NAME = ":address";

    private AddressParameter() {
    }

    static EmailAddress of(Request request) throws HaltException {
        String raw = request.params(NAME);
        if (raw == null || raw.isEmpty()) {
            throw RouteErrors.badRequest("Invalid address", "no address in the path");
        }
        try {
            return EmailAddress.parse(raw);
        } catch (InvalidAddressException e) {
            throw jamesWouldAccept(raw)
                ? RouteErrors.badRequest("Address will not be probed", e.getMessage())
                : RouteErrors.badRequest("Invalid address", e.getMessage());
        }
    }

    /** Whether James's own parser takes {@code raw} for a mail address (it is only asked once ours said no). */
    private static boolean jamesWouldAccept(String raw) {
        if (raw.length() > EmailAddress.MAX_ADDRESS * 4) {
            return false; // not worth parsing
        }
        try {
            new MailAddress(raw);
            return true;
        } catch (AddressException | RuntimeException e) {
            return false;
        }
    }
}
