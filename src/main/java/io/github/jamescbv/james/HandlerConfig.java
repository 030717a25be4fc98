package io.github.jamescbv.james;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.core.Cidr;
import io.github.jamescbv.policy.Exemptions;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.HostPort;
import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * The {@code <handler class="io.github.jamescbv.james.CallbackVerifyHandler">} element of
 * {@code smtpserver.xml}, parsed and checked. Every mistake is a {@link ConfigurationException}
 * naming the element and the bad value, so that James refuses to start instead of running
 * with a setting the administrator did not mean (a typo in {@code <phsae>} silently ignored
 * would leave the default phase in force without anyone noticing).
 */
public final class HandlerConfig {
    public static final String DEFAULT_ATTRIBUTE = "smtp_cbv_result";
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);
    /**
     * RFC 5321 4.5.3.2.6 lets a client give up after 10 minutes without a reply to the final
     * "."; holding the reply longer would only make clients retry the whole message.
     */
    public static final Duration MAX_MAX_WAIT = Duration.ofMinutes(10);

    private static final String HANDLER_CLASS_KEY = "[@class]";
    /** Elements that hold one value each. */
    private static final Set<String> SINGLE_VALUED = Set.of("phase", "mailfrom", "attribute", "maxWait",
        "heloName", "port", "connectTimeout", "commandTimeout", "totalTimeout", "maxMxAttempts",
        "allowPrivateTargets", "allowTargetNetworks", "verifyAuthenticated", "maxConcurrent", "maxQueued",
        "perDomainConcurrent", "perDomainRate", "perClientRate", "skipDomains", "skipNetworks", "cache.passTtl", "cache.errorTtl",
        "cache.transientTtl", "cache.maxEntries", "action", "rcptMaxWait", "rejectMessage", "rejectOnPolicyError",
        "randomCheck", "postmasterCheck");
    /** Keys of the nested elements; bare "map", "dns", "cache" and "map.entry" appear when they are empty. */
    private static final Set<String> NESTED = Set.of("map", "map.entry", "map.entry[@from]", "map.entry[@to]",
        "dns", "dns.server", "cache");

    /** For the error message about an unknown element, in the order of the README. */
    private static final List<String> KNOWN_ELEMENTS = List.of("phase", "mailfrom", "map", "attribute", "maxWait",
        "heloName", "port", "connectTimeout", "commandTimeout", "totalTimeout", "maxMxAttempts", "dns",
        "allowPrivateTargets", "allowTargetNetworks", "verifyAuthenticated", "cache", "maxConcurrent", "maxQueued", "perDomainConcurrent",
        "perDomainRate", "perClientRate", "skipDomains", "skipNetworks", "action", "rcptMaxWait", "rejectMessage",
        "rejectOnPolicyError", "randomCheck", "postmasterCheck");

    private final Phase phase;
    private final String attribute;
    private final Duration maxWait;
    private final boolean verifyAuthenticated;
    private final VerifierSettings settings;
    private final CacheSettings cache;
    private final LimitSettings limits;
    private final Exemptions exemptions;
    private final EnforcementSettings enforcement;

    HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, VerifierSettings settings,
                  CacheSettings cache, LimitSettings limits, Exemptions exemptions) {
        this(phase, attribute, maxWait, verifyAuthenticated, settings, cache, limits, exemptions, EnforcementSettings.DEFAULTS);
    }

    HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, VerifierSettings settings,
                  CacheSettings cache, LimitSettings limits, Exemptions exemptions, EnforcementSettings enforcement) {
        this.phase = phase;
        this.attribute = attribute;
        this.maxWait = maxWait;
        this.verifyAuthenticated = verifyAuthenticated;
        this.settings = settings;
        this.cache = cache;
        this.limits = limits;
        this.exemptions = exemptions;
        this.enforcement = enforcement;
    }

    HandlerConfig(Phase phase, String attribute, Duration maxWait, boolean verifyAuthenticated, VerifierSettings settings) {
        this(phase, attribute, maxWait, verifyAuthenticated, settings, CacheSettings.DEFAULTS, LimitSettings.DEFAULTS,
            Exemptions.NONE);
    }

    /** Lifetimes and size of the verdict cache (shared by every handler and mailet of the James process). */
    public CacheSettings cache() {
        return cache;
    }

    /** The abuse limits (shared by every handler and mailet of the James process). */
    public LimitSettings limits() {
        return limits;
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

    /**
     * @throws ConfigurationException naming the element and the value when anything is unknown,
     *                                repeated or malformed
     */
    public static HandlerConfig parse(Configuration config) throws ConfigurationException {
        rejectUnknownElements(config);
        HandlerElements e = new HandlerElements(config);
        Phase phase = e.value("phase", HandlerConfig::phase, Phase.MAILFROM);
        String attribute = e.value("attribute", SettingValues::attributeName, DEFAULT_ATTRIBUTE);
        Duration maxWait = e.value("maxWait", HandlerConfig::maxWait, DEFAULT_MAX_WAIT);
        boolean verifyAuthenticated = e.value("verifyAuthenticated", SettingValues::bool, false);
        return new HandlerConfig(phase, attribute, maxWait, verifyAuthenticated, engineSettings(e),
            cacheSettings(e), limitSettings(e), exemptions(e), enforcementSettings(e));
    }

    private static Phase phase(String value) {
        return Phase.parse(value).orElseThrow(() -> new IllegalArgumentException(
            "bad phase '" + SafeText.clean(value, 40) + "' (expected mailfrom or rcptto)"));
    }

    private static Duration maxWait(String value) {
        Duration d = Durations.parse(value);
        if (d.compareTo(MAX_MAX_WAIT) > 0) {
            throw new IllegalArgumentException("'" + SafeText.clean(value, 40) + "' is longer than "
                + Durations.format(MAX_MAX_WAIT) + " (clients give up waiting for the reply to DATA after 10 minutes)");
        }
        return d;
    }

    private static EnforcementAction action(String value) {
        return EnforcementAction.parse(value).orElseThrow(() -> new IllegalArgumentException(
            "bad action '" + SafeText.clean(value, 40) + "' (expected record, reject, defer or warn)"));
    }

    private static EnforcementSettings enforcementSettings(HandlerElements e) throws ConfigurationException {
        EnforcementAction action = e.value("action", HandlerConfig::action, EnforcementAction.RECORD);
        Duration rcptMaxWait = e.value("rcptMaxWait", Durations::parse, EnforcementSettings.DEFAULT_RCPT_MAX_WAIT);
        Optional<String> rejectMessage = e.value("rejectMessage",
            v -> Optional.of(EnforcementSettings.checkRejectMessage(v)), Optional.empty());
        boolean rejectOnPolicyError = e.value("rejectOnPolicyError", SettingValues::bool, false);
        // The only value EnforcementSettings itself can refuse is the wait.
        return HandlerElements.build("rcptMaxWait",
            () -> new EnforcementSettings(action, rcptMaxWait, rejectMessage, rejectOnPolicyError));
    }

    private static CacheSettings cacheSettings(HandlerElements e) throws ConfigurationException {
        Duration pass = e.value("cache.passTtl", Durations::parse, CacheSettings.DEFAULT_PASS_TTL);
        Duration error = e.value("cache.errorTtl", Durations::parse, CacheSettings.DEFAULT_ERROR_TTL);
        Duration transientTtl = e.value("cache.transientTtl", Durations::parse, CacheSettings.DEFAULT_TRANSIENT_TTL);
        int maxEntries = e.value("cache.maxEntries", SettingValues::integer, CacheSettings.DEFAULT_MAX_ENTRIES);
        return HandlerElements.build("cache", () -> new CacheSettings(pass, error, transientTtl, maxEntries));
    }

    private static LimitSettings limitSettings(HandlerElements e) throws ConfigurationException {
        int maxConcurrent = e.value("maxConcurrent", SettingValues::integer, LimitSettings.DEFAULT_MAX_CONCURRENT);
        int maxQueued = e.value("maxQueued", SettingValues::integer, LimitSettings.DEFAULT_MAX_QUEUED);
        int perDomainConcurrent = e.value("perDomainConcurrent", SettingValues::integer,
            LimitSettings.DEFAULT_PER_DOMAIN_CONCURRENT);
        int perDomainRate = e.value("perDomainRate", SettingValues::integer, LimitSettings.DEFAULT_PER_DOMAIN_RATE);
        int perClientRate = e.value("perClientRate", SettingValues::integer, LimitSettings.DEFAULT_PER_CLIENT_RATE);
        try {
            return new LimitSettings(maxConcurrent, maxQueued, perDomainConcurrent, perDomainRate, perClientRate);
        } catch (IllegalArgumentException ex) {
            // LimitSettings names the value it refused ("bad maxQueued '-1' ..."): that is the element.
            throw HandlerElements.error(ex.getMessage().replaceAll("^bad (\\w+).*", "$1"), ex.getMessage());
        }
    }

    private static Exemptions exemptions(HandlerElements e) throws ConfigurationException {
        Set<String> domains = e.value("skipDomains", Exemptions::parseDomains, Set.of());
        List<Cidr> networks = e.value("skipNetworks", Exemptions::parseNetworks, List.of());
        return new Exemptions(domains, networks);
    }

    private static VerifierSettings engineSettings(HandlerElements e) throws ConfigurationException {
        VerifierSettings.Builder b = VerifierSettings.builder();
        e.ifGiven("mailfrom", SettingValues::probeSender, b::mailFrom);
        e.ifGiven("heloName", Function.identity(), b::heloName);
        e.ifGiven("port", v -> HostPort.parsePort(v, v), b::port);
        e.ifGiven("connectTimeout", Durations::parse, b::connectTimeout);
        e.ifGiven("commandTimeout", Durations::parse, b::commandTimeout);
        e.ifGiven("totalTimeout", Durations::parse, b::totalTimeout);
        e.ifGiven("maxMxAttempts", SettingValues::integer, b::maxMxAttempts);
        List<String> dnsServers = new ArrayList<>();
        for (String server : e.list("dns.server")) {
            if (server == null || server.isBlank()) {
                throw HandlerElements.error("dns.server", "empty DNS server");
            }
            dnsServers.add(server.trim());
        }
        HandlerElements.check("dns.server", () -> b.dnsServers(dnsServers));
        b.allowPrivateTargets(e.value("allowPrivateTargets", SettingValues::bool, false));
        e.ifGiven("allowTargetNetworks", Cidr::parseList, b::allowTargetNetworks);
        b.randomCheck(e.value("randomCheck", SettingValues::bool, false));
        b.postmasterCheck(e.value("postmasterCheck", SettingValues::bool, false));
        b.map(domainMap(e.configuration()));
        return b.build();
    }

    private static DomainMap domainMap(Configuration config) throws ConfigurationException {
        DomainMap.Builder map = DomainMap.builder();
        if (config instanceof HierarchicalConfiguration) {
            // One sub-configuration per <entry>, so that a missing attribute is noticed on its own entry.
            for (HierarchicalConfiguration<?> entry : ((HierarchicalConfiguration<?>) config).configurationsAt("map.entry")) {
                addEntry(map, entry.getString("[@from]", null), entry.getString("[@to]", null));
            }
        } else {
            List<String> from = config.getList(String.class, "map.entry[@from]", List.of());
            List<String> to = config.getList(String.class, "map.entry[@to]", List.of());
            if (from.size() != to.size()) {
                throw error("map", "every <entry> needs both from and to");
            }
            for (int i = 0; i < from.size(); i++) {
                addEntry(map, from.get(i), to.get(i));
            }
        }
        return map.build();
    }

    private static void addEntry(DomainMap.Builder map, String from, String to) throws ConfigurationException {
        String described = "<entry from=\"" + SafeText.clean(from, 80) + "\" to=\"" + SafeText.clean(to, 80) + "\">";
        if (from == null || to == null) {
            throw error("map", described + " needs both from and to");
        }
        try {
            map.add(from, to);
        } catch (IllegalArgumentException e) {
            throw error("map", described + ": " + e.getMessage());
        }
    }

    private static void rejectUnknownElements(Configuration config) throws ConfigurationException {
        Iterator<String> keys = config.getKeys();
        while (keys.hasNext()) {
            String key = keys.next();
            if (key.equals(HANDLER_CLASS_KEY)) {
                continue;
            }
            if (SINGLE_VALUED.contains(key)) {
                if (config.getList(String.class, key, List.of()).size() > 1) {
                    throw error(key, "given more than once");
                }
                continue;
            }
            if (NESTED.contains(key)) {
                if ((key.equals("map") || key.equals("dns") || key.equals("map.entry"))
                    && !config.getString(key, "").isBlank()) {
                    throw error(key, "unexpected text '" + SafeText.clean(config.getString(key), 40) + "'");
                }
                continue;
            }
            throw new ConfigurationException("CallbackVerifyHandler: unknown element or attribute '"
                + SafeText.clean(key, 80) + "' with value '" + SafeText.clean(config.getString(key, ""), 80)
                + "' (known: " + String.join(", ", KNOWN_ELEMENTS) + ")");
        }
    }

    private static ConfigurationException error(String element, String message) {
        return HandlerElements.error(element, message);
    }

    @Override
    public String toString() {
        return "phase=" + phase.word() + " attribute=" + attribute + " maxWait=" + Durations.format(maxWait)
            + " verifyAuthenticated=" + verifyAuthenticated + " port=" + settings.port()
            + " heloName=" + settings.heloName() + " mailfrom=<" + settings.mailFrom().map(Object::toString).orElse("")
            + "> map=" + settings.map().entries() + " dns=" + (settings.dnsServers().isEmpty() ? "system" : settings.dnsServers())
            + " allowPrivateTargets=" + settings.allowPrivateTargets()
            + " allowTargetNetworks=" + settings.allowTargetNetworks()
            + " randomCheck=" + settings.randomCheck() + " postmasterCheck=" + settings.postmasterCheck()
            + " cache=[" + cache + "] limits=[" + limits + "] " + exemptions + " " + enforcement;
    }
}
