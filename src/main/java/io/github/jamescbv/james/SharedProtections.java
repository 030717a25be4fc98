package io.github.jamescbv.james;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.CallbackLimits;
import io.github.jamescbv.policy.DefaultCallbackLimits;
import io.github.jamescbv.policy.InMemoryVerdictCache;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.policy.VerdictCache;
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
 */
@Singleton
public class SharedProtections {
    private static final Logger LOG = LoggerFactory.getLogger(SharedProtections.class);

    private CacheSettings cacheSettings;
    private LimitSettings limitSettings;
    private VerdictCache cache;
    private DefaultCallbackLimits limits;
    private int users;

    /**
     * The shared cache and limits, created with these settings by the first caller. Each
     * caller gives its share back with {@link #release()} when James stops it.
     */
    public synchronized Parts obtain(CacheSettings cacheWanted, LimitSettings limitsWanted, String who) {
        users++;
        if (cache == null) {
            cacheSettings = cacheWanted;
            limitSettings = limitsWanted;
            cache = new InMemoryVerdictCache(cacheWanted);
            limits = new DefaultCallbackLimits(limitsWanted);
        } else if (!cacheSettings.toString().equals(cacheWanted.toString())
            || !limitSettings.toString().equals(limitsWanted.toString())) {
            LOG.warn("{}: the verdict cache and limits are shared by the whole James process and were already "
                + "configured as cache=[{}] limits=[{}]; this configuration's cache=[{}] limits=[{}] is ignored",
                who, cacheSettings, limitSettings, cacheWanted, limitsWanted);
        }
        return new Parts(cache, limits);
    }

    /** One user fewer; the last one stops the limits' timer thread and forgets the cache. */
    public synchronized void release() {
        if (users > 0 && --users == 0 && limits != null) {
            limits.close();
            limits = null;
            cache = null;
        }
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
}
