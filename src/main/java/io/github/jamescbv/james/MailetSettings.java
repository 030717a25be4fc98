package io.github.jamescbv.james;

import io.github.jamescbv.config.EngineSettings;
import io.github.jamescbv.config.MailetParameters;
import io.github.jamescbv.config.Settings;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.Durations;
import io.github.jamescbv.core.HeloName;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.function.Supplier;
import javax.mail.MessagingException;
import org.apache.mailet.MailetConfig;

/**
 * The init parameters of {@link CallbackVerifyMailet}, parsed and checked ({@link MailetParameters}).
 * Mailet parameters are flat, so the handler's nested elements become one-line values: {@code dns}
 * is a comma separated list of {@code host[:port]}, {@code map} a comma separated list of {@code from=to}.
 * Its {@code attribute} has the handler's default: a mailet verifying the sender where no handler
 * is installed feeds the same routing.
 *
 * <p>The verdict cache and the limits are not configured here: they are shared with the
 * handler and configured on it ({@link CbvRuntime}).
 */
final class MailetSettings {
    private final AddressSource address;
    private final String attribute;
    private final Duration maxWait;
    private final HeloName heloName;
    private final VerifierSettings engine;
    private final DomainMap map;

    MailetSettings(AddressSource address, String attribute, Duration maxWait, HeloName heloName, VerifierSettings engine,
                   DomainMap map) {
        this.heloName = heloName;
        this.address = address;
        this.attribute = attribute;
        this.maxWait = maxWait;
        this.engine = engine;
        this.map = map;
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

    /** The probes' EHLO name (also in {@link #engine()}) and where it came from. */
    HeloName heloName() {
        return heloName;
    }

    /** Which domain or host to call back for an address's domain, applied before anything else. */
    DomainMap map() {
        return map;
    }

    /** @throws MessagingException naming the parameter and its value when anything is unknown or malformed */
    static MailetSettings parse(MailetConfig config) throws MessagingException {
        return parse(config, HeloName::local);
    }

    /** As {@link #parse(MailetConfig)}, the probes' EHLO name {@code heloDefault}'s when {@code heloName} is not given. */
    static MailetSettings parse(MailetConfig config, Supplier<HeloName> heloDefault) throws MessagingException {
        MailetParameters p = new MailetParameters(config);
        p.rejectUnknown();
        AddressSource address = p.value(Settings.ADDRESS, AddressSource::parse);
        String attribute = p.value(Settings.ATTRIBUTE);
        Duration maxWait = p.value(Settings.SPOOL_MAX_WAIT);
        HeloName helo = EngineSettings.heloName(p, heloDefault);
        return new MailetSettings(address, attribute, maxWait, helo, EngineSettings.read(p, helo), EngineSettings.map(p));
    }

    @Override
    public String toString() {
        return "address=" + address + " attribute=" + attribute + " maxWait=" + Durations.format(maxWait)
            + " port=" + engine.port() + " heloName=" + heloName
            + " mailfrom=<" + engine.mailFrom().map(Object::toString).orElse("") + "> map=" + map.entries()
            + " dns=" + (engine.dnsServers().isEmpty() ? "system" : engine.dnsServers())
            + " allowPrivateTargets=" + engine.allowPrivateTargets()
            + " allowTargetNetworks=" + engine.allowTargetNetworks() + " tls=" + engine.tls().word()
            + " pipelining=" + engine.pipelining();
    }
}
