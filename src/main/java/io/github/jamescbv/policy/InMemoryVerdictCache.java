package io.github.jamescbv.policy;

import io.github.jamescbv.core.DomainFacts;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The default {@link VerdictCache}: bounded, in this JVM's heap, lost on restart.
 *
 * <h2>What is remembered under which key</h2>
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
 *     verifications of other addresses of the domain need not ask a random address again
 *     ({@link #domainFacts}). It is not a verdict about them: their own RCPT TO is still asked.
 *     Only a fact learnt by asking is recorded, never one carried over from this memory, so it
 *     expires passTtl after the domain last really accepted a random address; a verdict that
 *     found the domain rejecting a random address forgets it.</li>
 * </ul>
 * {@link #lookup} asks the address first, then the domain.
 *
 * <p>Keys are used as given and compared exactly: callers pass
 * {@link io.github.jamescbv.core.EmailAddress#toString()} and
 * {@link io.github.jamescbv.core.EmailAddress#domain()}, whose domain is already lower case,
 * so the local part stays case-sensitive (RFC 5321 section 2.4) and the hot path spends nothing
 * on case folding. A caller breaking this would only miss, never get another address's verdict.
 *
 * <p>A hit is the recorded verdict with {@code cached=true}. Verdicts are kept packed
 * ({@link PackedVerdict}: about 120 bytes instead of about 330 as objects), so each hit builds a
 * new, equal {@code Verdict}: a few hundred bytes of short-lived garbage per hit, against keeping
 * 100,000 entries under 50 MB.
 *
 * <h2>Lifetimes and replacement</h2>
 * Each result lives for its TTL from {@link CacheSettings} (pass 7 days, error 3 hours,
 * transient 5 minutes by default); an expired verdict is never returned. A result whose TTL
 * is 0 is never recorded, and when it is a pass or an error it also drops what was held for
 * the key, since that definite answer contradicts or supersedes it. A transient never
 * replaces a pass that is still valid (see {@link ReplaceRule}); an error replaces a pass, a
 * pass replaces anything. A verdict that is already marked {@code cached} is not recorded
 * again: a hit fed back must not extend its own life. {@code maxEntries} 0 disables the
 * cache: nothing is recorded, every lookup misses.
 *
 * <h2>Bound and eviction</h2>
 * At most {@code maxEntries} addresses, domains and accept-all facts together, exactly, at every moment.
 * When full, expired entries go first, then the oldest recorded, with a second chance for
 * those hit since (see {@link VerdictStore}). Lookups never lock or block; records share one
 * lock, which is cheap because a record follows a whole SMTP callback.
 */
public final class InMemoryVerdictCache implements VerdictCache {
    private final ResultTtls ttls;
    /** Null when maxEntries is 0. */
    private final VerdictStore store;

    /** With the system clock. */
    public InMemoryVerdictCache(CacheSettings settings) {
        this(settings, Clock.systemUTC());
    }

    public InMemoryVerdictCache(CacheSettings settings, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        this.ttls = new ResultTtls(settings);
        this.store = settings.maxEntries() == 0 ? null
            : new VerdictStore(settings.maxEntries(), ReplaceRule::replacesPacked, clock);
    }

    @Override
    public Optional<Verdict> lookup(String address, String domain) {
        if (store == null) {
            return Optional.empty();
        }
        byte[] v = store.get(CacheScope.ADDRESS, address);
        if (v == null) {
            v = store.get(CacheScope.DOMAIN, domain);
        }
        return v == null ? Optional.empty() : Optional.of(PackedVerdict.unpack(v, domain));
    }

    @Override
    public DomainFacts domainFacts(String domain) {
        if (store == null) {
            return DomainFacts.NONE;
        }
        return store.get(CacheScope.ACCEPT_ALL, domain) != null
            ? DomainFacts.ACCEPTS_ALL : DomainFacts.NONE;
    }

    @Override
    public void record(String address, String domain, Verdict verdict) {
        Objects.requireNonNull(verdict, "verdict");
        CacheScope scope = CacheScope.of(verdict.stage());
        if (store == null || scope == CacheScope.NONE || verdict.cached()) {
            return;
        }
        recordAcceptAll(domain, verdict);
        String key = scope == CacheScope.ADDRESS ? address : domain;
        long ttl = ttls.millis(verdict.result());
        if (ttl == 0) {
            if (verdict.result() != Result.TRANSIENT) {
                store.remove(scope, key);
            }
            return;
        }
        store.put(scope, key, forCache(verdict, domain), ttl);
    }

    /** The domain fact a verdict learnt, if any (see the class comment). */
    private void recordAcceptAll(String domain, Verdict verdict) {
        Fact fact = verdict.acceptAll().orElse(null);
        if (fact == null || fact.remembered() || verdict.stage() != Stage.RCPT) {
            return;
        }
        String key = domain;
        long ttl = ttls.millis(Result.PASS);
        if (fact.value() == Fact.Value.FALSE || (fact.isTrue() && ttl == 0)) {
            store.remove(CacheScope.ACCEPT_ALL, key);
        } else if (fact.isTrue() && verdict.result() == Result.PASS) {
            store.put(CacheScope.ACCEPT_ALL, key, forCache(verdict, domain), ttl);
        }
    }

    @Override
    public int size() {
        return store == null ? 0 : store.size();
    }

    /** For tests: the internal structures agree with each other and with the bound. */
    boolean consistent() {
        return store == null || store.consistent();
    }

    /**
     * What is stored: marked cached once (not per hit), packed; its domain, nearly always the
     * one it is looked up with, left for the lookup to supply.
     */
    private static byte[] forCache(Verdict v, String domain) {
        return PackedVerdict.pack(v.toBuilder().cached(true).build(), domain);
    }
}
