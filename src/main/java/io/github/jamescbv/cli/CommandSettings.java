package io.github.jamescbv.cli;

import io.github.jamescbv.config.Setting;
import io.github.jamescbv.config.Settings;
import io.github.jamescbv.core.Cidr;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.verify.VerifierSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The engine's settings as the command's options give them, one option at a time. A value is
 * taken as its option comes, so that the first bad one is the one reported; the repeatable
 * options ({@code --dns}, {@code --map}, {@code --allow-target-networks}) add up, and the DNS
 * servers are checked when the command line is complete.
 */
final class CommandSettings {
    private final VerifierSettings.Builder builder = VerifierSettings.builder();
    private final DomainMap.Builder map = DomainMap.builder();
    private final List<String> dns = new ArrayList<>();
    private final List<Cidr> allowedNetworks = new ArrayList<>();

    /** @throws IllegalArgumentException naming the bad value */
    void take(Setting<?> option, String text) {
        when(option, Settings.MAILFROM, text, builder::mailFrom);
        when(option, Settings.HELO_NAME, text, builder::heloName);
        when(option, Settings.PORT, text, builder::port);
        when(option, Settings.CONNECT_TIMEOUT, text, builder::connectTimeout);
        when(option, Settings.COMMAND_TIMEOUT, text, builder::commandTimeout);
        when(option, Settings.TOTAL_TIMEOUT, text, builder::totalTimeout);
        when(option, Settings.ALLOW_PRIVATE_TARGETS, text, builder::allowPrivateTargets);
        when(option, Settings.TLS, text, builder::tls);
        when(option, Settings.PIPELINING, text, builder::pipelining);
        when(option, Settings.RANDOM_CHECK, text, builder::randomCheck);
        when(option, Settings.POSTMASTER_CHECK, text, builder::postmasterCheck);
        when(option, Settings.DNS, text, dns::addAll);
        when(option, Settings.ALLOW_TARGET_NETWORKS, text, allowedNetworks::addAll);
        when(option, Settings.MAP, text, entry -> entry.entries().forEach(map::add));
    }

    /** @throws IllegalArgumentException naming a bad DNS server */
    VerifierSettings build() {
        return builder.dnsServers(dns).allowTargetNetworks(allowedNetworks).build();
    }

    /** The {@code --map} entries given, in order. */
    DomainMap map() {
        return map.build();
    }

    private static <T> void when(Setting<?> option, Setting<T> setting, String text, Consumer<T> use) {
        if (option == setting) {
            use.accept(setting.parseOption(text));
        }
    }
}
