package io.github.jamescbv.config;

import static io.github.jamescbv.config.Place.COMMAND;
import static io.github.jamescbv.config.Place.HANDLER;
import static io.github.jamescbv.config.Place.MAILET;

import io.github.jamescbv.core.Cidr;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.HostPort;
import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.Exemptions;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.smtp.ReuseSettings;
import io.github.jamescbv.smtp.TlsPolicy;
import io.github.jamescbv.store.redis.RedisSettings;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every setting of the handler, the mailet and the command, declared once: name, parser,
 * default, where it can be given. The readers ({@link HandlerElements}, {@link MailetParameters},
 * the command's options) and the check for unknown names all go by this table, so that a new
 * setting is one line here plus the code that uses its value.
 *
 * <p>Settings whose value is a James type (the handler's {@code phase} and {@code action}, the
 * mailet's {@code address}) are declared with their text; the {@code james} package turns that
 * into its type through {@link SettingReader#value(Setting, Function)}, which names the setting
 * all the same when it refuses the text.
 */
public final class Settings {
    private static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);

    public static final Setting<String> ADDRESS = Setting.of("address", Function.identity(), "sender").in(MAILET);
    // rcptto by default: James's own recipient checks run first, so a relay attempt or an unknown
    // recipient costs no callback, and this server cannot be made to probe for strangers.
    public static final Setting<String> PHASE = Setting.of("phase", Function.identity(), "rcptto").in(HANDLER);
    public static final Setting<Optional<EmailAddress>> MAILFROM = Setting.of("mailfrom", SettingValues::probeSender,
        Optional.<EmailAddress>empty()).in(HANDLER, MAILET).option("--mailfrom", SettingValues::probeSenderOption);
    public static final Setting<DomainMap> MAP = Setting.of("map", SettingValues::domainMap, DomainMap.EMPTY)
        .in(HANDLER, MAILET).option("--map", SettingValues::mapOption);
    public static final Setting<String> ATTRIBUTE = Setting.of("attribute", SettingValues::attributeName,
        "smtp_cbv_result").in(HANDLER, MAILET);
    /** The handler's: how long the reply to the final "." of DATA may be held. */
    public static final Setting<Duration> MAX_WAIT = Setting.of("maxWait", SettingValues::dataMaxWait,
        DEFAULT_MAX_WAIT).in(HANDLER);
    /** The mailet's: how long a mail may wait for its verdict on a spool thread. Same name, another wait. */
    public static final Setting<Duration> SPOOL_MAX_WAIT = Setting.of("maxWait", SettingValues::spoolMaxWait,
        DEFAULT_MAX_WAIT).in(MAILET);
    /**
     * No default here: the handler and the mailet take the name James announces (its SMTP
     * server's {@code <helloName>}), the command this host's name ({@code HeloName.local()}).
     */
    public static final Setting<String> HELO_NAME = Setting.of("heloName", Function.identity(), (String) null)
        .in(HANDLER, MAILET).option("--helo");
    public static final Setting<Integer> PORT = Setting.of("port", v -> HostPort.parsePort(v, v),
        VerifierSettings.DEFAULT_PORT).in(HANDLER, MAILET).option("--port", SettingValues::portOption);
    public static final Setting<Duration> CONNECT_TIMEOUT = Setting.of("connectTimeout", Durations::parse,
        VerifierSettings.DEFAULT_CONNECT_TIMEOUT).in(HANDLER, MAILET).option("--connect-timeout");
    public static final Setting<Duration> COMMAND_TIMEOUT = Setting.of("commandTimeout", Durations::parse,
        VerifierSettings.DEFAULT_COMMAND_TIMEOUT).in(HANDLER, MAILET).option("--command-timeout");
    public static final Setting<Duration> TOTAL_TIMEOUT = Setting.of("totalTimeout", Durations::parse,
        VerifierSettings.DEFAULT_TOTAL_TIMEOUT).in(HANDLER, MAILET).option("--total-timeout");
    public static final Setting<Integer> MAX_MX_ATTEMPTS = Setting.of("maxMxAttempts", SettingValues::integer,
        VerifierSettings.DEFAULT_MAX_MX_ATTEMPTS).in(HANDLER, MAILET);
    /** The handler nests it ({@code <dns><server>}), the mailet lists it, the command repeats it. */
    public static final Setting<List<String>> DNS = Setting.of("dns", SettingValues::list, List.<String>of())
        .in(HANDLER, MAILET).option("--dns", List::of);
    public static final Setting<Boolean> ALLOW_PRIVATE_TARGETS = Setting.of("allowPrivateTargets",
        SettingValues::bool, false).in(HANDLER, MAILET).flag("--allow-private-targets", true);
    public static final Setting<List<Cidr>> ALLOW_TARGET_NETWORKS = Setting.of("allowTargetNetworks",
        Cidr::parseList, List.<Cidr>of()).in(HANDLER, MAILET).option("--allow-target-networks");
    public static final Setting<TlsPolicy> TLS = Setting.of("tls", TlsPolicy::parse, VerifierSettings.DEFAULT_TLS)
        .in(HANDLER, MAILET).option("--tls");
    public static final Setting<Boolean> PIPELINING = Setting.of("pipelining", SettingValues::bool,
        VerifierSettings.DEFAULT_PIPELINING).in(HANDLER, MAILET).flag("--no-pipelining", false);
    public static final Setting<Boolean> VERIFY_AUTHENTICATED = Setting.of("verifyAuthenticated",
        SettingValues::bool, false).in(HANDLER);
    public static final Setting<Duration> CACHE_PASS_TTL = Setting.of("cache.passTtl", Durations::parse,
        CacheSettings.DEFAULT_PASS_TTL).in(HANDLER);
    public static final Setting<Duration> CACHE_ERROR_TTL = Setting.of("cache.errorTtl", Durations::parse,
        CacheSettings.DEFAULT_ERROR_TTL).in(HANDLER);
    public static final Setting<Duration> CACHE_TRANSIENT_TTL = Setting.of("cache.transientTtl", Durations::parse,
        CacheSettings.DEFAULT_TRANSIENT_TTL).in(HANDLER);
    public static final Setting<Duration> CACHE_DNS_FAILURE_TTL = Setting.of("cache.dnsFailureTtl", Durations::parse,
        CacheSettings.DEFAULT_DNS_FAILURE_TTL).in(HANDLER);
    public static final Setting<Integer> CACHE_MAX_ENTRIES = Setting.of("cache.maxEntries", SettingValues::integer,
        CacheSettings.DEFAULT_MAX_ENTRIES).in(HANDLER);
    /** The default depends on passTtl ({@link CacheSettings#passRefresh()}); given, it must be below it. */
    public static final Setting<Duration> CACHE_PASS_REFRESH = Setting.of("cache.passRefresh", Durations::parse,
        CacheSettings.DEFAULT_PASS_REFRESH).in(HANDLER);
    /** No default: without {@code <redis>}, every protection stays in this process's memory. */
    public static final Setting<String> REDIS_URL = Setting.of("redis.url", Function.identity(), (String) null)
        .in(HANDLER);
    /** Absent: a Redis Cluster when {@code <url>} names several URIs; {@code true} makes one URI a cluster's seed. */
    public static final Setting<Boolean> REDIS_CLUSTER = Setting.of("redis.cluster", SettingValues::bool, false)
        .in(HANDLER);
    public static final Setting<String> REDIS_KEY_PREFIX = Setting.of("redis.keyPrefix", Function.identity(),
        RedisSettings.DEFAULT_KEY_PREFIX).in(HANDLER);
    public static final Setting<Duration> REDIS_TIMEOUT = Setting.of("redis.timeout", Durations::parse,
        RedisSettings.DEFAULT_TIMEOUT).in(HANDLER);
    public static final Setting<Integer> REDIS_NEAR_CACHE_ENTRIES = Setting.of("redis.nearCacheEntries",
        SettingValues::integer, RedisSettings.DEFAULT_NEAR_CACHE_ENTRIES).in(HANDLER);
    public static final Setting<Duration> REDIS_NEAR_CACHE_TIME = Setting.of("redis.nearCacheTime", Durations::parse,
        RedisSettings.DEFAULT_NEAR_CACHE_TIME).in(HANDLER);
    public static final Setting<Integer> MAX_CONCURRENT = Setting.of("maxConcurrent",
        SettingValues.integer(LimitSettings::checkMaxConcurrent), LimitSettings.DEFAULT_MAX_CONCURRENT).in(HANDLER);
    public static final Setting<Integer> MAX_QUEUED = Setting.of("maxQueued",
        SettingValues.integer(LimitSettings::checkMaxQueued), LimitSettings.DEFAULT_MAX_QUEUED).in(HANDLER);
    public static final Setting<Integer> PER_DOMAIN_CONCURRENT = Setting.of("perDomainConcurrent",
        SettingValues.integer(LimitSettings::checkPerDomainConcurrent), LimitSettings.DEFAULT_PER_DOMAIN_CONCURRENT).in(HANDLER);
    public static final Setting<Integer> PER_DOMAIN_RATE = Setting.of("perDomainRate",
        SettingValues.integer(LimitSettings::checkPerDomainRate), LimitSettings.DEFAULT_PER_DOMAIN_RATE).in(HANDLER);
    public static final Setting<Integer> PER_CLIENT_RATE = Setting.of("perClientRate",
        SettingValues.integer(LimitSettings::checkPerClientRate), LimitSettings.DEFAULT_PER_CLIENT_RATE).in(HANDLER);
    /** Connection reuse ({@code <reuse>}): the process's one pool of connections, configured by the first handler. */
    public static final Setting<Duration> REUSE_IDLE_TIME = Setting.of("reuse.idleTime",
        v -> ReuseSettings.checkIdleTime(Durations.parse(v)), ReuseSettings.DEFAULT_IDLE_TIME).in(HANDLER);
    public static final Setting<Integer> REUSE_MAX_PROBES = Setting.of("reuse.maxProbes",
        SettingValues.integer(ReuseSettings::checkMaxProbes), ReuseSettings.DEFAULT_MAX_PROBES).in(HANDLER);
    public static final Setting<Duration> REUSE_MAX_LIFETIME = Setting.of("reuse.maxLifetime",
        v -> ReuseSettings.checkMaxLifetime(Durations.parse(v)), ReuseSettings.DEFAULT_MAX_LIFETIME).in(HANDLER);
    public static final Setting<Integer> REUSE_AFTER_REJECTED = Setting.of("reuse.afterRejected",
        SettingValues.integer(ReuseSettings::checkAfterRejected), ReuseSettings.DEFAULT_AFTER_REJECTED).in(HANDLER);
    public static final Setting<Set<String>> SKIP_DOMAINS = Setting.of("skipDomains", Exemptions::parseDomains,
        Set.<String>of()).in(HANDLER);
    public static final Setting<List<Cidr>> SKIP_NETWORKS = Setting.of("skipNetworks", Exemptions::parseNetworks,
        List.<Cidr>of()).in(HANDLER);
    public static final Setting<String> ACTION = Setting.of("action", Function.identity(), "record").in(HANDLER);
    public static final Setting<Duration> RCPT_MAX_WAIT = Setting.of("rcptMaxWait", Durations::parse,
        Duration.ofSeconds(10)).in(HANDLER);
    /** No default: without it, the reply's text is ours. */
    public static final Setting<String> REJECT_MESSAGE = Setting.of("rejectMessage", Function.identity(), (String) null)
        .in(HANDLER);
    public static final Setting<Boolean> REJECT_ON_POLICY_ERROR = Setting.of("rejectOnPolicyError",
        SettingValues::bool, false).in(HANDLER);
    public static final Setting<Boolean> RANDOM_CHECK = Setting.of("randomCheck", SettingValues::bool, false)
        .in(HANDLER).flag("--random-check", true);
    public static final Setting<Boolean> POSTMASTER_CHECK = Setting.of("postmasterCheck", SettingValues::bool, false)
        .in(HANDLER).flag("--postmaster-check", true);

    /** The whole table, in the order the handler's unknown-element error lists them (the README's). */
    public static final List<Setting<?>> ALL = List.of(ADDRESS, PHASE, MAILFROM, MAP, ATTRIBUTE, MAX_WAIT,
        SPOOL_MAX_WAIT, HELO_NAME, PORT, CONNECT_TIMEOUT, COMMAND_TIMEOUT, TOTAL_TIMEOUT, MAX_MX_ATTEMPTS, DNS,
        ALLOW_PRIVATE_TARGETS, ALLOW_TARGET_NETWORKS, TLS, PIPELINING, VERIFY_AUTHENTICATED, CACHE_PASS_TTL, CACHE_ERROR_TTL,
        CACHE_TRANSIENT_TTL, CACHE_DNS_FAILURE_TTL, CACHE_MAX_ENTRIES, CACHE_PASS_REFRESH, REDIS_URL, REDIS_CLUSTER,
        REDIS_KEY_PREFIX, REDIS_TIMEOUT, REDIS_NEAR_CACHE_ENTRIES,
        REDIS_NEAR_CACHE_TIME, MAX_CONCURRENT, MAX_QUEUED, PER_DOMAIN_CONCURRENT, PER_DOMAIN_RATE,
        PER_CLIENT_RATE, REUSE_IDLE_TIME, REUSE_MAX_PROBES, REUSE_MAX_LIFETIME, REUSE_AFTER_REJECTED, SKIP_DOMAINS, SKIP_NETWORKS, ACTION, RCPT_MAX_WAIT, REJECT_MESSAGE, REJECT_ON_POLICY_ERROR,
        RANDOM_CHECK, POSTMASTER_CHECK);

    private Settings() {
    }

    /** The settings of one place, in the order of the table (the order its error messages list them). */
    public static List<Setting<?>> of(Place place) {
        return ALL.stream().filter(s -> s.appliesTo(place)).collect(Collectors.toList());
    }

    /** The names an administrator may write in a place, nested ones by their outer element ({@code cache}), each once. */
    public static List<String> names(Place place) {
        Set<String> names = new LinkedHashSet<>();
        for (Setting<?> s : of(place)) {
            names.add(s.element());
        }
        return List.copyOf(names);
    }

    /** The setting of that name (a nested one by its dotted key) in that place. */
    public static Optional<Setting<?>> named(Place place, String name) {
        return ALL.stream().filter(s -> s.appliesTo(place) && s.name().equals(name)).findFirst();
    }

    /** Whether {@code name} is the outer element of nested settings in that place, such as {@code cache}. */
    public static boolean isGroup(Place place, String name) {
        return ALL.stream().anyMatch(s -> s.appliesTo(place) && !s.name().equals(name) && s.element().equals(name));
    }

    /** The setting the command's option stands for, e.g. {@code --connect-timeout}. */
    public static Optional<Setting<?>> ofOption(String option) {
        return ALL.stream().filter(s -> s.appliesTo(COMMAND) && s.option().filter(option::equals).isPresent()).findFirst();
    }
}
