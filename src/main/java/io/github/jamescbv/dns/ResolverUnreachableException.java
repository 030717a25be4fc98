package io.github.jamescbv.dns;

import java.io.IOException;

/**
 * Not one DNS server of the list could be reached: every attempt ended in a network error (ICMP
 * port or host unreachable, connection refused, no route) rather than in an answer or in silence.
 * {@link FailoverResolver} ends a query with it so that the failure is told apart from a timeout
 * or a SERVFAIL, which may be the domain's doing: this one is ours alone.
 */
final class ResolverUnreachableException extends IOException {
    private static final long serialVersionUID = 1L;

    ResolverUnreachableException(String message, Throwable last) {
        super(message, last);
    }
}
