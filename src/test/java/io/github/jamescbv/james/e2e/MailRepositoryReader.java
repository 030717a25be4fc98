package io.github.jamescbv.james.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.mailet.Mail;

/**
 * Reads the mails a James stored, repository by repository, through its probe, and disposes each
 * once read. A repository hands out a copy whose message source James tracks as a disposable
 * resource: left to the garbage collector, it is logged as an ERROR "Leak detected!
 * MimeMessageInputStreamSource" (docs/BENCHMARKS.md, "Soak"). Its attributes and recipients stay
 * readable once disposed; whoever needs the message copies it while reading.
 */
public final class MailRepositoryReader {
    /** What the caller keeps of one stored mail, if anything; {@code mail} is disposed right after. */
    @FunctionalInterface
    public interface Reading<T> {
        Optional<T> read(String repository, Mail mail) throws Exception;
    }

    private final MailRepositoryProbeImpl probe;
    private final Function<String, MailRepositoryUrl> urlOf;

    /** {@code urlOf}: the URL of a repository by its name (memory:// or file://, as the configuration says). */
    public MailRepositoryReader(MailRepositoryProbeImpl probe, Function<String, MailRepositoryUrl> urlOf) {
        this.probe = probe;
        this.urlOf = urlOf;
    }

    /** What {@code reading} keeps of each mail of {@code repositories}, in their order. */
    public <T> List<T> readEach(List<String> repositories, Reading<T> reading) throws Exception {
        List<T> kept = new ArrayList<>();
        for (String repository : repositories) {
            MailRepositoryUrl url = urlOf.apply(repository);
            for (MailKey key : probe.listMailKeys(url)) {
                Mail mail = probe.getMail(url, key);
                if (mail == null) {
                    continue; // removed since it was listed
                }
                try {
                    reading.read(repository, mail).ifPresent(kept::add);
                } finally {
                    LifecycleUtil.dispose(mail);
                }
            }
        }
        return kept;
    }
}
