package io.github.jamescbv.james;

import io.github.jamescbv.config.EngineSettings;
import io.github.jamescbv.config.HandlerElements;
import io.github.jamescbv.config.SettingValues;
import io.github.jamescbv.config.Settings;
import io.github.jamescbv.core.Cidr;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.HeloName;
import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.Exemptions;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.smtp.ReuseSettings;
import io.github.jamescbv.store.redis.RedisSettings;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * The {@code <handler class="io.github.jamescbv.james.CallbackVerifyHandler">} element of
 * {@code smtpserver.xml}, parsed and checked by {@link HandlerElements} against the declarations of
 * {@link Settings}: every mistake is a {@link ConfigurationException} naming the element and the
 * bad value. What is James's own here: the types {@link Phase}, {@link EnforcementAction} and
 * {@link EnforcementSettings} the texts become.
 */
public final class HandlerConfig {
    public static final String DEFAULT_ATTRIBUTE = Settings.ATTRIBUTE.defaultValue();
    public static final Duration DEFAULT_MAX_WAIT = Settings.MAX_WAIT.defaultValue();
    public static final Duration MAX_MAX_WAIT = SettingValues.MAX_MAX_WAIT;


    private final Phase phase;
    private final String attribute;
    private final Duration maxWait;
    private final boolean verifyAuthenticated;
    private final HeloName heloName;
    private final VerifierSettings settings;
    private final DomainMap map;
    private final CacheSettings cache;
    private final Optional<RedisSettings> redis;
    private final LimitSettings limits;
    private final ReuseSettings reuse;
    private final Exemptions exemptions;
    private final EnforcementSettings enforcement;

    HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, VerifierSettings settings,
                  CacheSettings cache, LimitSettings limits, Exemptions exemptions) {
        this(phase, attribute, maxWait, verifyAuthenticated, settings, cache, limits, exemptions, EnforcementSettings.DEFAULTS);
    }

    HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, VerifierSettings settings,
                  CacheSettings cache, LimitSettings limits, Exemptions exemptions, EnforcementSettings enforcement) {
        this(phase, attribute, maxWait, verifyAuthenticated, settings, DomainMap.EMPTY, cache, limits, exemptions,
            enforcement);
    }

    HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, VerifierSettings settings,
                  DomainMap map, CacheSettings cache, LimitSettings limits, Exemptions exemptions,
                  EnforcementSettings enforcement) {
        this(phase, attribute, maxWait, verifyAuthenticated, settings, map, cache, Optional.empty(), limits, exemptions,
            enforcement);
    }

    HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, VerifierSettings settings,
                  DomainMap map, CacheSettings cache, Optional<RedisSettings> redis, LimitSettings limits,
                  Exemptions exemptions, EnforcementSettings enforcement) {
        this(phase, attribute, maxWait, verifyAuthenticated, HeloName.of(settings.heloName(), "configured"), settings,
            map, cache, redis, limits, ReuseSettings.DEFAULTS, exemptions, enforcement);
    }

    HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, VerifierSettings settings,
                  DomainMap map, CacheSettings cache, Optional<RedisSettings> redis, LimitSettings limits,
                  ReuseSettings reuse, Exemptions exemptions, EnforcementSettings enforcement) {
        this(phase, attribute, maxWait, verifyAuthenticated, HeloName.of(settings.heloName(), "configured"), settings,
            map, cache, redis, limits, reuse, exemptions, enforcement);
    }

    private HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, HeloName heloName,
                          VerifierSettings settings, DomainMap map, CacheSettings cache, Optional<RedisSettings> redis,
                          LimitSettings limits, ReuseSettings reuse, Exemptions exemptions, EnforcementSettings enforcement) {
        this.heloName = heloName;
        this.reuse = reuse;
        this.redis = redis;
        this.phase = phase;
        this.attribute = attribute;
        this.maxWait = maxWait;
        this.verifyAuthenticated = verifyAuthenticated;
        this.settings = settings;
        this.map = map;
        this.cache = cache;
        this.limits = limits;
        this.exemptions = exemptions;
        this.enforcement = enforcement;
    }

    HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, VerifierSettings settings) {
        this(phase, attribute, maxWait, verifyAuthenticated, settings, CacheSettings.DEFAULTS, LimitSettings.DEFAULTS,
            Exemptions.NONE);
    }

    /** Which domain or host to call back for a sender domain ({@code <map>}), applied before anything else. */
    public DomainMap map() {
        return map;
    }

    /** Lifetimes and size of the verdict cache (shared by every handler and mailet of the James process). */
    public CacheSettings cache() {
        return cache;
    }

    /** Where the verdicts, callbacks in flight and remote budgets are shared with other nodes ({@code <redis>}); empty: this process only. */
    public Optional<RedisSettings> redis() {
        return redis;
    }

    /** The abuse limits (shared by every handler and mailet of the James process). */
    public LimitSettings limits() {
        return limits;
    }

    /** How probe connections are kept between probes ({@code <reuse>}; one pool for the whole James process). */
    public ReuseSettings reuse() {
        return reuse;
    }

    /** What is refused at SMTP time: {@code <action>}, {@code <rcptMaxWait>}, {@code <rejectMessage>}, {@code <rejectOnPolicyError>}. */
    public EnforcementSettings enforcement() {
        return enforcement;
    }

    /** Sender domains and client networks that are never verified. */
    public Exemptions exemptions() {
        return exemptions;
    }

    public Phase phase() {
        return phase;
    }

    /** Name of the Mail attribute holding pass / error / transient; the detail map is {@code <attribute>.detail}. */
    public String attribute() {
        return attribute;
    }

    /** How long the reply to the final "." may be held back waiting for the verdict; zero = never hold. */
    public Duration maxWait() {
        return maxWait;
    }

    /** Whether the senders of authenticated sessions are verified too. */
    public boolean verifyAuthenticated() {
        return verifyAuthenticated;
    }

    /** The engine's settings. */
    public VerifierSettings settings() {
        return settings;
    }

    /** The probes' EHLO name (also in {@link #settings()}) and where it came from. */
    public HeloName heloName() {
        return heloName;
    }

    /**
     * @throws ConfigurationException naming the element and the value when anything is unknown,
     *                                repeated or malformed
     */
    public static HandlerConfig parse(Configuration config) throws ConfigurationException {
        return parse(config, HeloName::local);
    }

    /**
     * As {@link #parse(Configuration)}, the probes' EHLO name {@code heloDefault}'s when
     * {@code <heloName>} is not given.
     */
    public static HandlerConfig parse(Configuration config, Supplier<HeloName> heloDefault) throws ConfigurationException {
        HandlerElements e = new HandlerElements(config);
        e.rejectUnknown();
        Phase phase = e.value(Settings.PHASE, HandlerConfig::phase);
        String attribute = e.value(Settings.ATTRIBUTE);
        Duration maxWait = e.value(Settings.MAX_WAIT);
        boolean verifyAuthenticated = e.value(Settings.VERIFY_AUTHENTICATED);
        HeloName helo = EngineSettings.heloName(e, heloDefault);
        VerifierSettings engine = EngineSettings.read(e, helo);
        return new HandlerConfig(phase, attribute, maxWait, verifyAuthenticated, helo, engine,
            EngineSettings.map(e), cacheSettings(e), redisSettings(e), limitSettings(e, engine), reuseSettings(e),
            exemptions(e), enforcementSettings(e));
    }

    private static Phase phase(String value) {
        return Phase.parse(value).orElseThrow(() -> new IllegalArgumentException(
            "bad phase '" + SafeText.clean(value, 40) + "' (expected mailfrom or rcptto)"));
    }

    private static EnforcementAction action(String value) {
        return EnforcementAction.parse(value).orElseThrow(() -> new IllegalArgumentException(
            "bad action '" + SafeText.clean(value, 40) + "' (expected record, reject, defer or warn)"));
    }

    private static EnforcementSettings enforcementSettings(HandlerElements e) throws ConfigurationException {
        EnforcementAction action = e.value(Settings.ACTION, HandlerConfig::action);
        Duration rcptMaxWait = e.value(Settings.RCPT_MAX_WAIT);
        Optional<String> rejectMessage = e.given(Settings.REJECT_MESSAGE, EnforcementSettings::checkRejectMessage);
        boolean rejectOnPolicyError = e.value(Settings.REJECT_ON_POLICY_ERROR);
        // The only value EnforcementSettings itself can refuse is the wait.
        return e.check(Settings.RCPT_MAX_WAIT,
            () -> new EnforcementSettings(action, rcptMaxWait, rejectMessage, rejectOnPolicyError));
    }

    private static CacheSettings cacheSettings(HandlerElements e) throws ConfigurationException {
        Duration pass = e.value(Settings.CACHE_PASS_TTL);
        Duration error = e.value(Settings.CACHE_ERROR_TTL);
        Duration transientTtl = e.value(Settings.CACHE_TRANSIENT_TTL);
        int maxEntries = e.value(Settings.CACHE_MAX_ENTRIES);
        Duration dnsFailure = e.value(Settings.CACHE_DNS_FAILURE_TTL);
        CacheSettings cache = e.group(Settings.CACHE_PASS_TTL.element(),
            () -> new CacheSettings(pass, error, transientTtl, maxEntries, dnsFailure));
        Optional<Duration> passRefresh = e.given(Settings.CACHE_PASS_REFRESH);
        return passRefresh.isEmpty() ? cache : e.check(Settings.CACHE_PASS_REFRESH, () -> cache.withPassRefresh(passRefresh.get()));
    }

    /** {@code <redis>}: absent without its {@code <url>}; its other elements alone are a mistake worth stopping for. */
    private static Optional<RedisSettings> redisSettings(HandlerElements e) throws ConfigurationException {
        Optional<String> url = e.given(Settings.REDIS_URL);
        Optional<Boolean> cluster = e.given(Settings.REDIS_CLUSTER);
        String prefix = e.value(Settings.REDIS_KEY_PREFIX);
        Duration timeout = e.value(Settings.REDIS_TIMEOUT);
        int nearEntries = e.value(Settings.REDIS_NEAR_CACHE_ENTRIES);
        Duration nearTime = e.value(Settings.REDIS_NEAR_CACHE_TIME);
        boolean othersGiven = cluster.isPresent() || e.given(Settings.REDIS_KEY_PREFIX).isPresent()
            || e.given(Settings.REDIS_TIMEOUT).isPresent() || e.given(Settings.REDIS_NEAR_CACHE_ENTRIES).isPresent()
            || e.given(Settings.REDIS_NEAR_CACHE_TIME).isPresent();
        if (url.isEmpty()) {
            if (othersGiven) {
                return e.check(Settings.REDIS_URL, () -> {
                    throw new IllegalArgumentException("missing: <redis> needs its <url> (redis://host:port)");
                });
            }
            return Optional.empty();
        }
        RedisSettings redis = e.group(Settings.REDIS_URL.element(),
            () -> new RedisSettings(url.get(), prefix, timeout, nearEntries, nearTime));
        // Absent, <cluster> follows the URLs; given, it must agree with them (false with several is refused).
        return Optional.of(cluster.isEmpty() ? redis : e.check(Settings.REDIS_CLUSTER, () -> redis.cluster(cluster.get())));
    }

    /** Each value was checked where it was read (its declaration's parser). */
    /** A rate below the probes of one callback would refuse every callback: a mistake, caught at start. */
    private static LimitSettings limitSettings(HandlerElements e, VerifierSettings engine) throws ConfigurationException {
        int rate = e.value(Settings.PER_DOMAIN_RATE);
        if (rate < engine.probesAtMost()) {
            throw new ConfigurationException("CallbackVerifyHandler: <" + Settings.PER_DOMAIN_RATE.name() + ">: " + rate
                + " is below the " + engine.probesAtMost() + " RCPT TOs a callback may send with randomCheck="
                + engine.randomCheck() + " and postmasterCheck=" + engine.postmasterCheck() + " (perDomainRate counts them)");
        }
        return new LimitSettings(e.value(Settings.MAX_CONCURRENT), e.value(Settings.MAX_QUEUED),
            e.value(Settings.PER_DOMAIN_CONCURRENT), rate, e.value(Settings.PER_CLIENT_RATE));
    }

    /** Each value was checked where it was read; {@code <maxProbes>1</maxProbes>} or {@code <idleTime>0s</idleTime>} turns reuse off. */
    private static ReuseSettings reuseSettings(HandlerElements e) throws ConfigurationException {
        Duration idle = e.value(Settings.REUSE_IDLE_TIME);
        int maxProbes = e.value(Settings.REUSE_MAX_PROBES);
        Duration lifetime = e.value(Settings.REUSE_MAX_LIFETIME);
        int afterRejected = e.value(Settings.REUSE_AFTER_REJECTED);
        return e.group(Settings.REUSE_IDLE_TIME.element(), () -> new ReuseSettings(idle, maxProbes, lifetime, afterRejected));
    }

    private static Exemptions exemptions(HandlerElements e) throws ConfigurationException {
        Set<String> domains = e.value(Settings.SKIP_DOMAINS);
        List<Cidr> networks = e.value(Settings.SKIP_NETWORKS);
        return new Exemptions(domains, networks);
    }

    @Override
    public String toString() {
        return "phase=" + phase.word() + " attribute=" + attribute + " maxWait=" + Durations.format(maxWait)
            + " verifyAuthenticated=" + verifyAuthenticated + " port=" + settings.port()
            + " heloName=" + heloName + " mailfrom=<" + settings.mailFrom().map(Object::toString).orElse("")
            + "> map=" + map.entries() + " dns=" + (settings.dnsServers().isEmpty() ? "system" : settings.dnsServers())
            + " allowPrivateTargets=" + settings.allowPrivateTargets()
            + " allowTargetNetworks=" + settings.allowTargetNetworks() + " tls=" + settings.tls().word()
            + " pipelining=" + settings.pipelining()
            + " randomCheck=" + settings.randomCheck() + " postmasterCheck=" + settings.postmasterCheck()
            + " cache=[" + cache + "] store=" + redis.map(r -> "redis[" + r + "]").orElse("memory")
            + " limits=[" + limits + "] reuse=[" + reuse + "] " + exemptions + " " + enforcement;
    }
}
