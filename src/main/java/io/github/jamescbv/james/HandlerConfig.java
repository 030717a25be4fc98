package io.github.jamescbv.james;

import io.github.jamescbv.policy.CacheSettings;
import io.github.jamescbv.policy.Cidr;
import io.github.jamescbv.policy.Exemptions;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.verify.DomainMap;
import io.github.jamescbv.verify.Durations;
import io.github.jamescbv.verify.EmailAddress;
import io.github.jamescbv.verify.HostPort;
import io.github.jamescbv.verify.InvalidAddressException;
import io.github.jamescbv.verify.SafeText;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
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

        Phase phase = Phase.MAILFROM;
        Optional<String> phaseValue = single(config, "phase");
        if (phaseValue.isPresent()) {
            phase = Phase.parse(phaseValue.get()).orElseThrow(() -> error("phase",
                "bad phase '" + SafeText.clean(phaseValue.get(), 40) + "' (expected mailfrom or rcptto)"));
        }

        String attribute = single(config, "attribute").map(String::trim).orElse(DEFAULT_ATTRIBUTE);
        checkAttributeName(attribute);

        Duration maxWait = DEFAULT_MAX_WAIT;
        Optional<String> maxWaitValue = single(config, "maxWait");
        if (maxWaitValue.isPresent()) {
            maxWait = duration("maxWait", maxWaitValue.get());
            if (maxWait.compareTo(MAX_MAX_WAIT) > 0) {
                throw error("maxWait", "'" + SafeText.clean(maxWaitValue.get(), 40)
                    + "' is longer than " + Durations.format(MAX_MAX_WAIT)
                    + " (clients give up waiting for the reply to DATA after 10 minutes)");
            }
        }

        boolean verifyAuthenticated = bool(config, "verifyAuthenticated", false);
        return new HandlerConfig(phase, attribute, maxWait, verifyAuthenticated, engineSettings(config),
            cacheSettings(config), limitSettings(config), exemptions(config), enforcementSettings(config));
    }

    private static EnforcementSettings enforcementSettings(Configuration config) throws ConfigurationException {
        EnforcementAction action = EnforcementAction.RECORD;
        Optional<String> actionValue = single(config, "action");
        if (actionValue.isPresent()) {
            action = EnforcementAction.parse(actionValue.get()).orElseThrow(() -> error("action",
                "bad action '" + SafeText.clean(actionValue.get(), 40) + "' (expected record, reject, defer or warn)"));
        }
        Duration rcptMaxWait = optionalDuration(config, "rcptMaxWait", EnforcementSettings.DEFAULT_RCPT_MAX_WAIT);
        Optional<String> rejectMessage = Optional.empty();
        Optional<String> messageValue = single(config, "rejectMessage");
        if (messageValue.isPresent()) {
            try {
                rejectMessage = Optional.of(EnforcementSettings.checkRejectMessage(messageValue.get()));
            } catch (IllegalArgumentException e) {
                throw error("rejectMessage", e.getMessage());
            }
        }
        boolean rejectOnPolicyError = bool(config, "rejectOnPolicyError", false);
        try {
            return new EnforcementSettings(action, rcptMaxWait, rejectMessage, rejectOnPolicyError);
        } catch (IllegalArgumentException e) {
            throw error("rcptMaxWait", e.getMessage());
        }
    }

    private static CacheSettings cacheSettings(Configuration config) throws ConfigurationException {
        Duration pass = optionalDuration(config, "cache.passTtl", CacheSettings.DEFAULT_PASS_TTL);
        Duration error = optionalDuration(config, "cache.errorTtl", CacheSettings.DEFAULT_ERROR_TTL);
        Duration transientTtl = optionalDuration(config, "cache.transientTtl", CacheSettings.DEFAULT_TRANSIENT_TTL);
        int maxEntries = optionalInt(config, "cache.maxEntries", CacheSettings.DEFAULT_MAX_ENTRIES);
        try {
            return new CacheSettings(pass, error, transientTtl, maxEntries);
        } catch (IllegalArgumentException e) {
            throw error("cache", e.getMessage());
        }
    }

    private static LimitSettings limitSettings(Configuration config) throws ConfigurationException {
        int maxConcurrent = optionalInt(config, "maxConcurrent", LimitSettings.DEFAULT_MAX_CONCURRENT);
        int maxQueued = optionalInt(config, "maxQueued", LimitSettings.DEFAULT_MAX_QUEUED);
        int perDomainConcurrent = optionalInt(config, "perDomainConcurrent", LimitSettings.DEFAULT_PER_DOMAIN_CONCURRENT);
        int perDomainRate = optionalInt(config, "perDomainRate", LimitSettings.DEFAULT_PER_DOMAIN_RATE);
        int perClientRate = optionalInt(config, "perClientRate", LimitSettings.DEFAULT_PER_CLIENT_RATE);
        try {
            return new LimitSettings(maxConcurrent, maxQueued, perDomainConcurrent, perDomainRate, perClientRate);
        } catch (IllegalArgumentException e) {
            // LimitSettings names the value it refused ("bad maxQueued '-1' ..."): that is the element.
            String element = e.getMessage().replaceAll("^bad (\\w+).*", "$1");
            throw error(element, e.getMessage());
        }
    }

    private static Exemptions exemptions(Configuration config) throws ConfigurationException {
        Set<String> domains;
        List<Cidr> networks;
        try {
            domains = Exemptions.parseDomains(single(config, "skipDomains").orElse(""));
        } catch (IllegalArgumentException e) {
            throw error("skipDomains", e.getMessage());
        }
        try {
            networks = Exemptions.parseNetworks(single(config, "skipNetworks").orElse(""));
        } catch (IllegalArgumentException e) {
            throw error("skipNetworks", e.getMessage());
        }
        return new Exemptions(domains, networks);
    }

    private static Duration optionalDuration(Configuration config, String key, Duration defaultValue)
        throws ConfigurationException {
        Optional<String> v = single(config, key);
        return v.isPresent() ? duration(elementName(key), v.get()) : defaultValue;
    }

    private static int optionalInt(Configuration config, String key, int defaultValue) throws ConfigurationException {
        Optional<String> v = single(config, key);
        return v.isPresent() ? integer(elementName(key), v.get()) : defaultValue;
    }

    /** "cache.passTtl" as the administrator wrote it: cache><passTtl, as in the other messages. */
    private static String elementName(String key) {
        return key.replace(".", "><");
    }

    private static VerifierSettings engineSettings(Configuration config) throws ConfigurationException {
        VerifierSettings.Builder b = VerifierSettings.builder();
        Optional<String> mailFrom = single(config, "mailfrom");
        if (mailFrom.isPresent()) {
            b.mailFrom(probeSender(mailFrom.get()));
        }
        Optional<String> helo = single(config, "heloName");
        if (helo.isPresent()) {
            apply("heloName", () -> b.heloName(helo.get()));
        }
        Optional<String> port = single(config, "port");
        if (port.isPresent()) {
            apply("port", () -> b.port(HostPort.parsePort(port.get(), port.get())));
        }
        Optional<String> connect = single(config, "connectTimeout");
        if (connect.isPresent()) {
            Duration d = duration("connectTimeout", connect.get());
            apply("connectTimeout", () -> b.connectTimeout(d));
        }
        Optional<String> command = single(config, "commandTimeout");
        if (command.isPresent()) {
            Duration d = duration("commandTimeout", command.get());
            apply("commandTimeout", () -> b.commandTimeout(d));
        }
        Optional<String> total = single(config, "totalTimeout");
        if (total.isPresent()) {
            Duration d = duration("totalTimeout", total.get());
            apply("totalTimeout", () -> b.totalTimeout(d));
        }
        Optional<String> attempts = single(config, "maxMxAttempts");
        if (attempts.isPresent()) {
            int n = integer("maxMxAttempts", attempts.get());
            apply("maxMxAttempts", () -> b.maxMxAttempts(n));
        }
        List<String> dnsServers = new ArrayList<>();
        for (String server : config.getList(String.class, "dns.server", List.of())) {
            if (server == null || server.isBlank()) {
                throw error("dns><server", "empty DNS server");
            }
            dnsServers.add(server.trim());
        }
        apply("dns><server", () -> b.dnsServers(dnsServers));
        b.allowPrivateTargets(bool(config, "allowPrivateTargets", false));
        Optional<String> allowed = single(config, "allowTargetNetworks");
        if (allowed.isPresent()) {
            apply("allowTargetNetworks", () -> b.allowTargetNetworks(Cidr.parseList(allowed.get())));
        }
        b.randomCheck(bool(config, "randomCheck", false));
        b.postmasterCheck(bool(config, "postmasterCheck", false));
        b.map(domainMap(config));
        return b.build();
    }

    private static Optional<EmailAddress> probeSender(String value) throws ConfigurationException {
        String v = value.trim();
        if (v.isEmpty() || v.equals("<>")) {
            return Optional.empty();
        }
        try {
            return Optional.of(EmailAddress.parse(v));
        } catch (InvalidAddressException e) {
            throw error("mailfrom", "bad address '" + SafeText.clean(v, 80) + "': " + e.getMessage());
        }
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

    private static Optional<String> single(Configuration config, String key) {
        return Optional.ofNullable(config.getString(key, null));
    }

    private static Duration duration(String element, String value) throws ConfigurationException {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw error(element, e.getMessage());
        }
    }

    private static int integer(String element, String value) throws ConfigurationException {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw error(element, "bad number '" + SafeText.clean(value, 40) + "'");
        }
    }

    private static boolean bool(Configuration config, String element, boolean defaultValue) throws ConfigurationException {
        Optional<String> value = single(config, element);
        if (value.isEmpty()) {
            return defaultValue;
        }
        switch (value.get().trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw error(element, "bad boolean '" + SafeText.clean(value.get(), 40) + "' (expected true or false)");
        }
    }

    private static void checkAttributeName(String attribute) throws ConfigurationException {
        boolean ok = !attribute.isEmpty() && attribute.length() <= 200;
        for (int i = 0; ok && i < attribute.length(); i++) {
            char c = attribute.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        }
        if (!ok) {
            throw error("attribute", "bad attribute name '" + SafeText.clean(attribute, 80)
                + "' (expected letters, digits, '_', '-' or '.')");
        }
    }

    /** Runs a builder step, turning its IllegalArgumentException (which names the value) into one naming the element too. */
    private static void apply(String element, Runnable step) throws ConfigurationException {
        try {
            step.run();
        } catch (IllegalArgumentException e) {
            throw error(element, e.getMessage());
        }
    }

    private static ConfigurationException error(String element, String message) {
        return new ConfigurationException("CallbackVerifyHandler: <" + element + ">: " + message);
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
