package io.github.jamescbv.config;

import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.HeloName;
import io.github.jamescbv.verify.VerifierSettings;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The engine's settings ({@link VerifierSettings}) as the handler and the mailet read them alike. */
public final class EngineSettings {
    private EngineSettings() {
    }

    /**
     * Each setting given in the reader's place goes to the engine's builder, which may refuse it;
     * the rest keep their defaults, except the HELO name, which is {@code helo}.
     *
     * @param helo the name the probes say, as {@link #heloName} chose it
     */
    public static <E extends Exception> VerifierSettings read(SettingReader<E> r, HeloName helo) throws E {
        VerifierSettings.Builder b = VerifierSettings.builder().heloName(helo.name());
        r.ifGiven(Settings.MAILFROM, b::mailFrom);
        r.ifGiven(Settings.PORT, b::port);
        r.ifGiven(Settings.CONNECT_TIMEOUT, b::connectTimeout);
        r.ifGiven(Settings.COMMAND_TIMEOUT, b::commandTimeout);
        r.ifGiven(Settings.TOTAL_TIMEOUT, b::totalTimeout);
        r.ifGiven(Settings.MAX_MX_ATTEMPTS, b::maxMxAttempts);
        Optional<List<String>> dns = r.dnsServers();
        if (dns.isPresent()) {
            r.check(Settings.DNS, () -> b.dnsServers(dns.get()));
        }
        r.ifGiven(Settings.ALLOW_PRIVATE_TARGETS, b::allowPrivateTargets);
        r.ifGiven(Settings.ALLOW_TARGET_NETWORKS, b::allowTargetNetworks);
        r.ifGiven(Settings.TLS, b::tls);
        r.ifGiven(Settings.PIPELINING, b::pipelining);
        r.ifGiven(Settings.RANDOM_CHECK, b::randomCheck);
        r.ifGiven(Settings.POSTMASTER_CHECK, b::postmasterCheck);
        return b.build();
    }

    /**
     * The {@code heloName} given in the reader's place, else {@code otherwise}'s: asked only then,
     * since finding a default may mean reading files or asking DNS.
     */
    public static <E extends Exception> HeloName heloName(SettingReader<E> r, Supplier<HeloName> otherwise) throws E {
        Optional<String> given = r.given(Settings.HELO_NAME);
        if (given.isPresent()) {
            return r.check(Settings.HELO_NAME, () -> HeloName.of(given.get(), "configured"));
        }
        return otherwise.get();
    }

    /**
     * The domain map, read beside the engine's settings but not part of them: the map is applied
     * once, where a verification is asked for, and the engine gets the routed target.
     */
    public static <E extends Exception> DomainMap map(SettingReader<E> r) throws E {
        return r.domainMap().orElse(DomainMap.EMPTY);
    }
}
