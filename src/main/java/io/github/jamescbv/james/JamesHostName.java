package io.github.jamescbv.james;

import io.github.jamescbv.core.HeloName;
import io.github.jamescbv.core.SafeText;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.inject.Inject;
import javax.inject.Singleton;
import org.apache.commons.configuration2.Configuration;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The name this James gives itself: what the probes say in EHLO when the handler or the mailet
 * has no {@code heloName}. A remote that sees the same name in our mail and in our callbacks
 * sees one server, and the name James announces is the one its administrator already made
 * resolvable (or should). In order:
 * <ol>
 *   <li>the {@code <helloName>} of James's SMTP server ({@link SmtpServerNames}): for a handler,
 *       the {@code <smtpserver>} it is configured in; for a mailet, which belongs to no server,
 *       the name every enabled server announces, or the first one's when they differ;</li>
 *   <li>the name James's {@code DNSService} gives the local host (its reverse DNS), when that is
 *       a name and not an address;</li>
 *   <li>{@link HeloName#local()}, the engine's own default.</li>
 * </ol>
 * Worked out at start, once per handler or mailet; nothing here runs on an SMTP thread.
 * {@link Singleton}: one for every handler of the process, so that what concerns several is said once.
 */
@Singleton
public class JamesHostName {
    private static final Logger LOG = LoggerFactory.getLogger(JamesHostName.class);
    private static final String HANDLER_CLASS = CallbackVerifyHandler.class.getName();

    /** Knows nothing of James: every handler and mailet gets {@link HeloName#local()} (unit tests). */
    static final JamesHostName UNKNOWN = new JamesHostName(Optional::empty, Optional::empty);

    private final Supplier<Optional<SmtpServerNames>> servers;
    private final Supplier<Optional<String>> dnsHostName;
    /** The identical handlers already warned about: each of them asks, one WARN says it for all. */
    private final Set<String> ambiguitiesWarned = ConcurrentHashMap.newKeySet();

    @Inject
    public JamesHostName(ConfigurationProvider configurations, DNSService dns) {
        this(() -> readServers(configurations), () -> dnsHostName(dns));
    }

    /**
     * @param servers     James's SMTP servers as smtpserver.xml configures them; empty when unreadable
     * @param dnsHostName James's DNSService's name for the local host; empty when it has none
     */
    JamesHostName(Supplier<Optional<SmtpServerNames>> servers, Supplier<Optional<String>> dnsHostName) {
        this.servers = servers;
        this.dnsHostName = dnsHostName;
    }

    /** For the handler whose {@code init} got {@code handler}: the name of the server it is configured in. */
    HeloName forHandler(Configuration handler) {
        Optional<SmtpServerNames> read = servers.get();
        List<SmtpServerNames.Server> holding = read.isPresent() ? read.get().holding(handler) : List.of();
        if (holding.isEmpty()) {
            return elsewhere();
        }
        SmtpServerNames.Server chosen = holding.get(0);
        List<String> names = SmtpServerNames.distinctNames(holding);
        if (names.size() > 1 && ambiguitiesWarned.add(labels(holding))) {
            // James gives a handler no way to tell which of identical <handler> elements it is.
            LOG.warn("CallbackVerifyHandler: the <smtpserver> blocks {} hold the same handler configuration but "
                + "announce different names {}: the probes of all of them say EHLO {}; give each handler its "
                + "<heloName> to choose", labels(holding), clean(names), SafeText.clean(chosen.helloName, 255));
        }
        return HeloName.ifValid(chosen.helloName, "the <helloName> of <smtpserver> " + clean(chosen.label))
            .orElseGet(this::elsewhere);
    }

    /** For a mailet: the name James's SMTP servers announce, the first server's when they differ. */
    HeloName forMailet() {
        List<SmtpServerNames.Server> all = servers.get().map(SmtpServerNames::all).orElse(List.of());
        if (all.isEmpty()) {
            return elsewhere();
        }
        List<String> names = SmtpServerNames.distinctNames(all);
        SmtpServerNames.Server first = all.get(0);
        String source = names.size() == 1 ? "the <helloName> of James's SMTP servers"
            : "the <helloName> of the first <smtpserver>, " + clean(first.label) + "; the others announce "
                + clean(names.subList(1, names.size()));
        return HeloName.ifValid(first.helloName, source).orElseGet(this::elsewhere);
    }

    /** Steps 2 and 3: no SMTP server's name to take. */
    private HeloName elsewhere() {
        return dnsHostName.get()
            .flatMap(name -> HeloName.ifValid(name, "James's DNSService name for this host"))
            .filter(name -> !name.isAddress())
            .orElseGet(HeloName::local);
    }

    private static Optional<SmtpServerNames> readServers(ConfigurationProvider configurations) {
        try {
            return Optional.of(SmtpServerNames.read(configurations.getConfiguration("smtpserver"), HANDLER_CLASS,
                SmtpServerNames::jamesLocalHostName));
        } catch (Exception e) {
            LOG.info("smtpserver.xml cannot be read for James's <helloName> ({}); the probes' name comes from elsewhere",
                e.toString());
            return Optional.empty();
        }
    }

    /** DNSService's name for the local host: its PTR record, or the address itself when it has none. */
    private static Optional<String> dnsHostName(DNSService dns) {
        try {
            return Optional.ofNullable(dns.getHostName(dns.getLocalHost()));
        } catch (Exception e) {
            LOG.info("James's DNSService gives no name for this host: {}", e.toString());
            return Optional.empty();
        }
    }

    private static String labels(List<SmtpServerNames.Server> servers) {
        return clean(servers.stream().map(s -> s.label).collect(Collectors.toList()));
    }

    private static String clean(Object text) {
        return SafeText.clean(String.valueOf(text), 255);
    }
}
