package io.github.jamescbv.core;

import java.util.Locale;

/**
 * Why DNS gave no usable answer, for a {@code transient} decided at stage {@code dns}. It decides
 * how long the verdict is remembered for the domain: a failure that may be the domain's (its
 * servers fail or are slow) briefly, a failure that can only be ours (no resolver reachable) not
 * at all. New values go at the end: shared stores keep one by its ordinal.
 */
public enum DnsFailure {
    /** A server answered SERVFAIL: the domain's servers failed (or its DNSSEC), as our resolver saw it. */
    SERVFAIL,
    /**
     * Nothing usable came in time. The domain's servers may be slow or dead, or our resolver
     * silent: one query cannot tell these apart, which is why a timeout is remembered, briefly.
     */
    TIMEOUT,
    /**
     * Not one configured resolver could be reached: each attempt ended in a network error (ICMP
     * port or host unreachable, connection refused, no route), without an answer and without
     * waiting. Our own trouble, saying nothing about the domain.
     */
    RESOLVER_UNREACHABLE,
    /**
     * Anything else: another error code (REFUSED, NOTIMP...), an answer that cannot be used
     * (malformed, a CNAME loop), a TCP exchange broken off, or our own resolver being closed.
     */
    OTHER;

    /** "servfail", "timeout", "resolver-unreachable", "other": the word of the detail map and the logs. */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
