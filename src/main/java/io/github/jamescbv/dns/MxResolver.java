package io.github.jamescbv.dns;

import java.util.concurrent.CompletionStage;

/**
 * Finds where mail for a domain goes (RFC 5321 section 5.1, RFC 7505). Asynchronous: the
 * returned stages never block the caller and never complete exceptionally; every failure
 * is a {@link MxResolution} with a status and a reason.
 */
public interface MxResolver {

    /**
     * The mail hosts of {@code domain} (lower case, no trailing dot), in the order to try:
     * by MX preference, equal preferences shuffled; an implicit MX (the domain's own A and
     * AAAA) when the domain has no MX records at all.
     */
    CompletionStage<MxResolution> resolveMx(String domain);

    /**
     * The addresses of one host named directly (a {@code [host]} map target): A and AAAA,
     * or the host itself when it is an IP literal. Status FOUND with one host, or a failure.
     */
    CompletionStage<MxResolution> resolveHost(String host);
}
