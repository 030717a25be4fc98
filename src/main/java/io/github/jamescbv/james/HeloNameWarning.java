package io.github.jamescbv.james;

import io.github.jamescbv.core.HeloName;
import io.github.jamescbv.core.SafeText;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The one WARN at start when the probes' EHLO name is not a fully qualified domain name: the
 * probes would say it to every remote without a word, and remotes refuse or score such a name.
 */
final class HeloNameWarning {
    private HeloNameWarning() {
    }

    /**
     * @param who   the handler or the mailet, as its log lines name it
     * @param where how that one sets the name, e.g. {@code <heloName> in the handler (smtpserver.xml)}
     */
    static void logIfNeeded(Logger log, String who, HeloName helo, String where) {
        Optional<String> why = helo.whyNotFullyQualified();
        if (why.isPresent()) {
            log.warn("{}: the probes will say EHLO {} ({}), which is not a fully qualified domain name: {}. Remote "
                + "mail servers may refuse or distrust callbacks that say it; set {} to this server's public name "
                + "(e.g. mx.example.org), one whose A/AAAA and PTR records agree with the address the probes leave from",
                who, SafeText.clean(helo.name(), 255), helo.source(), why.get(), where);
        }
    }
}
