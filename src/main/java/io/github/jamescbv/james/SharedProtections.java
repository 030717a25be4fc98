package io.github.jamescbv.james;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.CallbackLimits;
import io.github.jamescbv.policy.DefaultCallbackLimits;
import io.github.jamescbv.policy.InMemoryVerdictCache;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.VerdictCache;
import io.github.jamescbv.core.Verdict;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import javax.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one verdict cache and the one set of limits of a James process, shared by every
 * handler (one per {@code <smtpserver>}) and every on-demand mailet: a remote domain's
 * budget and a forged sender's cached answer must not depend on which port the mail came in.
 *
 * <p>{@link Singleton}: Guice creates it in the top-most injector that can, so the SMTP
 * servers' child injectors and the mailet loader all get this same instance. The first
 * configuration to ask wins; a later, different one is reported and ignored.
 *
 * <p>Only handlers configure them. A mailet {@link #join joins} without settings of its own,
 * and James 3.8.1 initialises the mailet container before the SMTP servers: so what a mailet
 * joins is resolved at its first use, by which time the handlers have given their settings
 * (the defaults only if none did).
 */
@Singleton
public class SharedProtections {
    private static final Logger LOG = LoggerFactory.getLogger(SharedProtections.class);

    private CacheSettings cacheSettings;
    private LimitSettings limitSettings;
    private String configuredBy;
    private VerdictCache cache;
    private DefaultCallbackLimits limits;
    private int users;

    /**
     * The shared cache and limits, created with these settings by the first caller. Each
     * caller gives its share back with {@link #release()} when James stops it.
     */
    public synchronized Parts obtain(CacheSettings cacheWanted, LimitSettings limitsWanted, String who) {
        users++;
        create(cacheWanted, limitsWanted, who);
        return new Parts(cache, limits);
    }

    /**
     * The shared cache and limits for a user without settings of its own (the mailet): as the
     * handlers configure them, else with the defaults. Resolved at first use, not now: the
     * handlers may not have started yet. Given back with {@link #release()} too.
     */
    public synchronized Parts join(String who) {
        users++;
        return new Parts(new JoinedCache(this, who), new JoinedLimits(this, who));
    }

    /** One user fewer; the last one stops the limits' timer thread and forgets the cache. */
    public synchronized void release() {
        if (users > 0 && --users == 0 && limits != null) {
            limits.close();
            limits = null;
            cache = null;
        }
    }

    private void create(CacheSettings cacheWanted, LimitSettings limitsWanted, String who) {
        if (cache == null) {
            cacheSettings = cacheWanted;
            limitSettings = limitsWanted;
            configuredBy = who;
            cache = new InMemoryVerdictCache(cacheWanted);
            limits = new DefaultCallbackLimits(limitsWanted);
        } else if (!cacheSettings.toString().equals(cacheWanted.toString())
            || !limitSettings.toString().equals(limitsWanted.toString())) {
            LOG.warn("{}: the verdict cache and limits are shared by the whole James process and were already "
                + "configured by {} as cache=[{}] limits=[{}]; this configuration's cache=[{}] limits=[{}] is ignored",
                who, configuredBy, cacheSettings, limitSettings, cacheWanted, limitsWanted);
        }
    }

    /** For a joined user at its first use: the shared parts, created with the defaults if no handler has configured them. */
    private synchronized Parts resolve(String who) {
        if (cache == null) {
            LOG.info("{}: no handler configured the shared verdict cache and limits; they get the defaults", who);
            create(CacheSettings.DEFAULTS, LimitSettings.DEFAULTS, who + " (defaults)");
        }
        return new Parts(cache, limits);
    }

    /** The shared pieces. */
    public static final class Parts {
        public final VerdictCache cache;
        public final CallbackLimits limits;

        Parts(VerdictCache cache, CallbackLimits limits) {
            this.cache = cache;
            this.limits = limits;
        }
    }

    /** The shared cache, looked up once at first use and then read without a lock. */
    private static final class JoinedCache implements VerdictCache {
        private final SharedProtections shared;
        private final String who;
        private volatile VerdictCache resolved;

        JoinedCache(SharedProtections shared, String who) {
            this.shared = shared;
            this.who = who;
        }

        private VerdictCache target() {
            VerdictCache c = resolved;
            if (c == null) {
                c = shared.resolve(who).cache;
                resolved = c;
            }
            return c;
        }

        @Override
        public Optional<Verdict> lookup(String address, String domain) {
            return target().lookup(address, domain);
        }

        @Override
        public void record(String address, String domain, Verdict verdict) {
            target().record(address, domain, verdict);
        }

        @Override
        public int size() {
            return target().size();
        }
    }

    /** The shared limits, looked up once at first use and then read without a lock. */
    private static final class JoinedLimits implements CallbackLimits {
        private final SharedProtections shared;
        private final String who;
        private volatile CallbackLimits resolved;

        JoinedLimits(SharedProtections shared, String who) {
            this.shared = shared;
            this.who = who;
        }

        private CallbackLimits target() {
            CallbackLimits l = resolved;
            if (l == null) {
                l = shared.resolve(who).limits;
                resolved = l;
            }
            return l;
        }

        @Override
        public Optional<String> chargeClient(Optional<InetAddress> client) {
            return target().chargeClient(client);
        }

        @Override
        public CompletionStage<Admission> admit(String domain, long deadlineNanos) {
            return target().admit(domain, deadlineNanos);
        }
    }
}
