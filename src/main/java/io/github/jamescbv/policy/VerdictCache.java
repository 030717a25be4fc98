package io.github.jamescbv.policy;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Verdict;
import java.util.Optional;

/**
 * Remembers callback verdicts so that one forged sender does not make us call its domain
 * back for every message. Keyed by the verified address after the domain map, with a
 * domain-level memory for verdicts that say nothing about the address itself (the domain's
 * mail hosts unreachable, refusing our probe sender, or DNS saying there is no mail host):
 * anything decided before RCPT TO.
 *
 * <p>Thread-safe; lookups are on the hot path of every message and must not block.
 * Implementations: {@link InMemoryVerdictCache}; a shared store can come later.
 */
public interface VerdictCache {

    /**
     * The still-valid verdict for {@code address} (local@domain, after the map), or else for
     * its {@code domain} when a domain-level verdict is held; marked {@code cached=true}.
     */
    Optional<Verdict> lookup(String address, String domain);

    /**
     * Remembers a fresh verdict per the TTL of its result: a {@code transient} never replaces
     * a still-valid {@code pass}; verdicts of stage {@code internal} are never remembered.
     * A pass that found the domain accepting every local part ({@link Verdict#acceptsAll()},
     * learnt now rather than carried over) also remembers that fact for the domain, for the
     * pass lifetime; a verdict that found it does not any more forgets it.
     */
    void record(String address, String domain, Verdict verdict);

    /**
     * What is still known of {@code domain} (after the map) from earlier verdicts, for the engine:
     * never an answer about an address, only what it need not ask again.
     */
    default DomainFacts domainFacts(String domain) {
        return DomainFacts.NONE;
    }

    /** Entries held now (addresses, domains and domain facts). */
    int size();
}
