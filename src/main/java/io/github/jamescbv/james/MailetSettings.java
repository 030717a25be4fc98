package io.github.jamescbv.james;

import io.github.jamescbv.core.Cidr;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.HostPort;
import io.github.jamescbv.core.SafeText;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.mail.MessagingException;
import org.apache.mailet.MailetConfig;

/**
 * The init parameters of {@link CallbackVerifyMailet}, parsed and checked. Mailet parameters
 * are flat, so the handler's nested elements become one-line values: {@code dns} is a comma
 * separated list of {@code host[:port]}, {@code map} a comma separated list of {@code from=to}.
 * An unknown parameter or a bad value is a {@link MessagingException} naming both, which
 * makes James refuse to start: a misspelt {@code adress} must not silently verify the sender.
 *
 * <p>The verdict cache and the limits are not configured here: they are shared with the
 * handler and configured on it ({@link CbvRuntime}).
 */
final class MailetSettings {
    static final String DEFAULT_ADDRESS = AddressSource.SENDER;
    /** The handler's: a mailet verifying the sender where no handler is installed feeds the same routing. */
    static final String DEFAULT_ATTRIBUTE = HandlerConfig.DEFAULT_ATTRIBUTE;
    static final Duration DEFAULT_MAX_WAIT = HandlerConfig.DEFAULT_MAX_WAIT;

    /** In the order of the README's table. */
    static final List<String> KNOWN_PARAMETERS = List.of("address", "attribute", "maxWait", "mailfrom", "heloName",
        "port", "connectTimeout", "commandTimeout", "totalTimeout", "maxMxAttempts", "dns", "allowPrivateTargets",
        "allowTargetNetworks", "map");
    /** Parameters the mailet container itself reads on every mailet. */
    private static final List<String> CONTAINER_PARAMETERS = List.of("onMailetException", "onMatchException");

    private final AddressSource address;
    private final String attribute;
    private final Duration maxWait;
    private final VerifierSettings engine;

    MailetSettings(AddressSource address, String attribute, Duration maxWait, VerifierSettings engine) {
        this.address = address;
        this.attribute = attribute;
        this.maxWait = maxWait;
        this.engine = engine;
    }

    /** Which address each mail gets a callback for. */
    AddressSource address() {
        return address;
    }

    /** Name of the Mail attribute holding pass / error / transient; the detail map is {@code <attribute>.detail}. */
    String attribute() {
        return attribute;
    }

    /** How long one mail may wait for its verdict on the spool thread; zero = only what is known at once (cache). */
    Duration maxWait() {
        return maxWait;
    }

    VerifierSettings engine() {
        return engine;
    }

    /** @throws MessagingException naming the parameter and its value when anything is unknown or malformed */
    static MailetSettings parse(MailetConfig config) throws MessagingException {
        Parameters p = new Parameters(config);
        p.rejectUnknown();
        AddressSource address = p.value("address", AddressSource::parse, AddressSource.parse(DEFAULT_ADDRESS));
        String attribute = p.value("attribute", SettingValues::attributeName, DEFAULT_ATTRIBUTE);
        Duration maxWait = p.value("maxWait", SettingValues::maxWait, DEFAULT_MAX_WAIT);
        return new MailetSettings(address, attribute, maxWait, engineSettings(p));
    }

    private static VerifierSettings engineSettings(Parameters p) throws MessagingException {
        VerifierSettings.Builder b = VerifierSettings.builder();
        p.apply("mailfrom", v -> b.mailFrom(SettingValues.probeSender(v)));
        p.apply("heloName", b::heloName);
        p.apply("port", v -> b.port(HostPort.parsePort(v, v)));
        p.apply("connectTimeout", v -> b.connectTimeout(Durations.parse(v)));
        p.apply("commandTimeout", v -> b.commandTimeout(Durations.parse(v)));
        p.apply("totalTimeout", v -> b.totalTimeout(Durations.parse(v)));
        p.apply("maxMxAttempts", v -> b.maxMxAttempts(SettingValues.integer(v)));
        p.apply("dns", v -> b.dnsServers(SettingValues.list(v)));
        p.apply("allowPrivateTargets", v -> b.allowPrivateTargets(SettingValues.bool(v)));
        p.apply("allowTargetNetworks", v -> b.allowTargetNetworks(Cidr.parseList(v)));
        p.apply("map", v -> b.map(SettingValues.domainMap(v)));
        return b.build();
    }

    /** The init parameters, with errors that name the parameter and its value. */
    private static final class Parameters {
        private final MailetConfig config;

        Parameters(MailetConfig config) {
            this.config = config;
        }

        void rejectUnknown() throws MessagingException {
            Iterator<String> names = config.getInitParameterNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!KNOWN_PARAMETERS.contains(name) && !CONTAINER_PARAMETERS.contains(name)) {
                    throw new MessagingException("CallbackVerifyMailet: unknown init parameter '" + SafeText.clean(name, 80)
                        + "' with value '" + SafeText.clean(config.getInitParameter(name), 80) + "' (known: "
                        + String.join(", ", KNOWN_PARAMETERS) + ")");
                }
            }
        }

        /** The parsed value of {@code name}, or {@code defaultValue} when the parameter is absent. */
        <T> T value(String name, Function<String, T> parser, T defaultValue) throws MessagingException {
            String raw = config.getInitParameter(name);
            if (raw == null) {
                return defaultValue;
            }
            try {
                return parser.apply(raw);
            } catch (IllegalArgumentException e) {
                throw error(name, raw, e);
            }
        }

        /** Hands the value of {@code name}, when present, to a builder step that may refuse it. */
        void apply(String name, Consumer<String> step) throws MessagingException {
            String raw = config.getInitParameter(name);
            if (raw == null) {
                return;
            }
            try {
                step.accept(raw);
            } catch (IllegalArgumentException e) {
                throw error(name, raw, e);
            }
        }

        private static MessagingException error(String name, String raw, IllegalArgumentException e) {
            return new MessagingException("CallbackVerifyMailet: bad init parameter " + name + "='"
                + SafeText.clean(raw, 80) + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "address=" + address + " attribute=" + attribute + " maxWait=" + Durations.format(maxWait)
            + " port=" + engine.port() + " heloName=" + engine.heloName()
            + " mailfrom=<" + engine.mailFrom().map(Object::toString).orElse("") + "> map=" + engine.map().entries()
            + " dns=" + (engine.dnsServers().isEmpty() ? "system" : engine.dnsServers())
            + " allowPrivateTargets=" + engine.allowPrivateTargets()
            + " allowTargetNetworks=" + engine.allowTargetNetworks();
    }
}
