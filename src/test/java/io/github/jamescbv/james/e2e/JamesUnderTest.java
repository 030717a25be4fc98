package io.github.jamescbv.james.e2e;

import com.google.inject.multibindings.Multibinder;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.mail.internet.MimeMessage;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.GuiceProbe;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * A real James 3.8.1 memory server, booted in-process from the test class path's configuration
 * (our smtpserver.xml and mailetcontainer.xml shadow the defaults of James's test jar) or from a
 * working directory's conf/, and what the tests look at: the mails the mailet container stored,
 * by repository. Public for the interop suite.
 */
public final class JamesUnderTest {
    public static final List<String> REPOSITORIES = List.of("cbv-pass", "cbv-error", "cbv-transient", "cbv-none", "cbv-from-error");
    public static final String ATTRIBUTE = "smtp_cbv_result";

    private JamesUnderTest() {
    }

    /** One server per test class: booting James takes seconds. */
    static JamesServerExtension perClass() {
        return new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> MemoryJamesConfiguration.builder()
            .workingDirectory(tmpDir)
            .configurationFromClasspath()
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build())
            .server(configuration -> MemoryJamesServerMain.createServer(configuration)
                .combineWith(binder -> Multibinder.newSetBinder(binder, GuiceProbe.class)
                    .addBinding().to(SmtpPortsProbe.class)))
            .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
            .build();
    }

    /**
     * A James (not started) whose configuration is {@code workingDirectory/conf} (see
     * {@link io.github.jamescbv.testing.ConfDirectory}), with the {@link SmtpPortsProbe}.
     */
    public static GuiceJamesServer server(Path workingDirectory) {
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .workingDirectory(workingDirectory.toFile())
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build();
        return MemoryJamesServerMain.createServer(configuration)
            .combineWith(binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(SmtpPortsProbe.class));
    }

    /** A mail as the mailet container stored it. */
    public static final class StoredMail {
        public final String repository;
        /** The mail as stored, already disposed: its attributes and envelope, not its message. */
        public final Mail mail;
        /** A copy of its message, held in memory. */
        public final MimeMessage message;

        StoredMail(String repository, Mail mail, MimeMessage message) {
            this.repository = repository;
            this.mail = mail;
            this.message = message;
        }

        public Optional<String> result() {
            return result(ATTRIBUTE);
        }

        /** The value of another verdict attribute (the mailet's, say). */
        Optional<String> result(String attribute) {
            return mail.getAttribute(AttributeName.of(attribute)).map(a -> (String) a.getValue().getValue());
        }

        /** {@code <attribute>.accept_all}: present (true) only for a domain found to accept every address. */
        Optional<Boolean> acceptAll() {
            return mail.getAttribute(AttributeName.of(ATTRIBUTE + ".accept_all")).map(a -> (Boolean) a.getValue().getValue());
        }

        /** The detail map, values as Strings. */
        public Map<String, String> detail() {
            return detail(ATTRIBUTE);
        }

        /** The detail map of another verdict attribute. */
        Map<String, String> detail(String attribute) {
            Optional<Attribute> detail = mail.getAttribute(AttributeName.of(attribute + ".detail"));
            if (detail.isEmpty()) {
                return Map.of();
            }
            @SuppressWarnings("unchecked")
            Map<String, AttributeValue<?>> map = (Map<String, AttributeValue<?>>) detail.get().getValue().getValue();
            return map.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> (String) e.getValue().getValue()));
        }

        @Override
        public String toString() {
            return repository + " " + mail.getName() + " " + result() + " " + detail();
        }
    }

    /** The mail with this subject, in whichever cbv-* repository it was stored. */
    public static Optional<StoredMail> find(GuiceJamesServer server, String subject) throws Exception {
        MailRepositoryProbeImpl probe = server.getProbe(MailRepositoryProbeImpl.class);
        for (String repository : REPOSITORIES) {
            MailRepositoryUrl url = MailRepositoryUrl.from("memory://var/mail/" + repository + "/");
            for (MailKey key : probe.listMailKeys(url)) {
                Mail mail = probe.getMail(url, key);
                if (mail == null) {
                    continue;
                }
                try {
                    if (subject.equals(mail.getMessage().getSubject())) {
                        return Optional.of(new StoredMail(repository, mail, new MimeMessage(mail.getMessage())));
                    }
                } finally {
                    // The memory repository hands out a copy whose message source James tracks as a
                    // disposable resource: left to the garbage collector, it is logged as an ERROR
                    // "Leak detected! MimeMessageInputStreamSource" (docs/BENCHMARKS.md, "Soak").
                    // Its attributes and recipients stay readable once disposed; the message is copied.
                    LifecycleUtil.dispose(mail);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The live threads of our engine and limits (named cbv-smtp-N, cbv-dns-N, cbv-timer, cbv-limits)
     * that are not in {@code before}: other tests of the same JVM may have left some of their own.
     */
    public static List<String> engineThreadsSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && !before.contains(t))
            .map(Thread::getName)
            .filter(n -> n.startsWith("cbv-smtp-") || n.startsWith("cbv-dns-") || n.equals("cbv-timer") || n.equals("cbv-limits"))
            .sorted()
            .collect(Collectors.toList());
    }

    /** How many callbacks {@code remote} received for {@code address} (connections that sent RCPT TO it). */
    static long probeCount(ScriptedSmtpServer remote, String address) {
        return remote.connections().stream()
            .filter(c -> c.commands().contains("RCPT TO:<" + address + ">"))
            .count();
    }

    /** The first callback {@code remote} received for {@code address}. */
    static ScriptedSmtpServer.Connection probeOf(ScriptedSmtpServer remote, String address) {
        return remote.connections().stream()
            .filter(c -> c.commands().contains("RCPT TO:<" + address + ">"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no callback for " + address + " in " + remote.connections()));
    }
}
