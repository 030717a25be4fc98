package io.github.jamescbv.policy;

import io.github.jamescbv.core.DnsFailure;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.util.Objects;

/**
 * What a fresh verdict leaves in a {@link VerdictMemory}, whichever store holds it; the store
 * only carries out the writes.
 *
 * <ul>
 * <li>A verdict decided at RCPT TO (stage {@code rcpt}) is about the address: it is held under
 *     the address, {@code local@domain} after the domain map.</li>
 * <li>A verdict decided before RCPT TO (stages {@code dns}, {@code connect}, {@code greeting},
 *     {@code helo}, {@code mail}, {@code policy}) is held under the <em>domain</em>: a 550 at
 *     MAIL FROM, mail hosts that cannot be reached, or DNS saying there is no mail host say
 *     nothing about the address, so they answer for every address of the domain for their
 *     lifetime instead of new connections (Exim's domain cache).</li>
 * <li>A verdict of stage {@code internal} (our own failure) is never held.</li>
 * <li>A pass whose catch-all check found the domain accepting every local part also leaves that
 *     <em>fact</em> under the domain, in a scope of its own, for the pass lifetime: later
 *     verifications of other addresses of the domain need not ask a random address again. It is
 *     not a verdict about them: their own RCPT TO is still asked. Only a fact learnt by asking is
 *     recorded, never one carried over from memory, so it expires passTtl after the domain last
 *     really accepted a random address; a verdict that found the domain rejecting a random
 *     address forgets it.</li>
 * <li>A {@code transient} of stage {@code dns} (no usable answer from DNS) is about the domain
 *     only for a moment: a SERVFAIL or a timeout may be the domain's servers, or a blip of ours,
 *     so it answers for the domain for {@code dnsFailureTtl} (at most {@code transientTtl}), not
 *     for {@code transientTtl}. One whose resolver could not be reached at all
 *     ({@link DnsFailure#RESOLVER_UNREACHABLE}) is our own trouble and is never held: only
 *     those who joined the callback in flight share it (Exim keeps no deferred callout at all).</li>
 * </ul>
 * Each result lives for its TTL from {@link CacheSettings}. A result whose TTL is 0 is never
 * recorded, and when it is a pass or an error it also drops what was held for the key, since that
 * definite answer contradicts or supersedes it. A transient never replaces a pass that is still
 * valid ({@link ReplaceRule}, applied by the store at the write). A verdict already marked
 * {@code cached} is not recorded again: a hit fed back must not extend its own life. Each record
 * carries the moment it was made ({@link PackedVerdict#madeAtMillis}), so that a store can tell
 * how old a pass is ({@link RefreshRule}).
 */
public final class RememberRules {
    private final ResultTtls ttls;

    public RememberRules(CacheSettings settings) {
        this.ttls = new ResultTtls(settings);
    }

    /** The writes {@code verdict}, remembered at {@code nowMillis} (the store's wall clock), asks for, in order, handed to {@code store}. */
    public void apply(String address, String domain, Verdict verdict, long nowMillis, Writes store) {
        Objects.requireNonNull(verdict, "verdict");
        CacheScope scope = CacheScope.of(verdict.stage());
        if (scope == CacheScope.NONE || verdict.cached()) {
            return;
        }
        acceptAll(domain, verdict, nowMillis, store);
        String key = scope == CacheScope.ADDRESS ? address : domain;
        long ttl = lifetime(verdict);
        if (ttl == 0) {
            if (verdict.result() != Result.TRANSIENT) {
                store.remove(scope, key);
            }
            return;
        }
        store.put(scope, key, forMemory(verdict, domain, nowMillis), ttl);
    }

    /** How long {@code verdict} answers: by its result, but a DNS failure briefly or not at all. */
    private long lifetime(Verdict verdict) {
        if (verdict.result() != Result.TRANSIENT || verdict.stage() != Stage.DNS) {
            return ttls.millis(verdict.result());
        }
        boolean ours = verdict.dnsFailure().orElse(null) == DnsFailure.RESOLVER_UNREACHABLE;
        return ours ? 0 : ttls.dnsFailureMillis();
    }

    /** The domain fact a verdict learnt, if any. */
    private void acceptAll(String domain, Verdict verdict, long nowMillis, Writes store) {
        Fact fact = verdict.acceptAll().orElse(null);
        if (fact == null || fact.remembered() || verdict.stage() != Stage.RCPT) {
            return;
        }
        long ttl = ttls.millis(Result.PASS);
        if (fact.value() == Fact.Value.FALSE || (fact.isTrue() && ttl == 0)) {
            store.remove(CacheScope.ACCEPT_ALL, domain);
        } else if (fact.isTrue() && verdict.result() == Result.PASS) {
            store.put(CacheScope.ACCEPT_ALL, domain, forMemory(verdict, domain, nowMillis), ttl);
        }
    }

    /**
     * What is stored: marked cached once (not per hit), packed; its domain, nearly always the
     * one it is looked up with, left for the lookup to supply ({@link PackedVerdict#unpack}).
     */
    private static byte[] forMemory(Verdict v, String domain, long nowMillis) {
        return PackedVerdict.pack(v.toBuilder().cached(true).build(), domain, nowMillis);
    }

    /** The two writes a store carries out for the rules. */
    public interface Writes {
        /**
         * Holds {@code packed} under {@code key} for {@code ttlMillis} (at least 1), unless a
         * still-valid verdict is held there that {@link ReplaceRule#replacesPacked} says it may not replace.
         */
        void put(CacheScope scope, String key, byte[] packed, long ttlMillis);

        /** Forgets whatever is held under {@code key}. */
        void remove(CacheScope scope, String key);
    }
}
