package io.github.jamescbv.webadmin;

import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.InvalidAddressException;
import java.util.Locale;
import spark.HaltException;
import spark.Request;

/** The {@code ?domain=} of a route: a host name (checked as {@code EmailAddress} checks domains), lower case, no final dot. */
final class DomainParameter {
    static final String NAME = "domain";

    private DomainParameter() {
    }

    static String of(Request request) throws HaltException {
        String raw = request.queryParams(NAME);
        if (raw == null || raw.isEmpty()) {
            throw RouteErrors.badRequest("Invalid domain", "give the domain whose verdicts to forget: ?domain=example.com");
        }
        String domain = raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw;
        if (domain.length() > EmailAddress.MAX_DOMAIN) {
            throw RouteErrors.badRequest("Invalid domain", "longer than " + EmailAddress.MAX_DOMAIN + " characters");
        }
        try {
            EmailAddress.checkHostName(domain);
        } catch (InvalidAddressException e) {
            throw RouteErrors.badRequest("Invalid domain", e.getMessage());
        }
        return domain.toLowerCase(Locale.ROOT);
    }
}
