package io.github.jamescbv.james.e2e;

import static org.awaitility.Awaitility.await;

import com.google.inject.multibindings.Multibinder;
import io.github.jamescbv.testing.ConfDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.mail.internet.MimeMessage;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.DataProbeImpl;
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
    /** Generous: a mail is stored within milliseconds of its final ".", but the build machine may be busy. */
    static final Duration STORED_WITHIN = Duration.ofSeconds(30);

    private JamesUnderTest() {
    }

    /** One server per test class: booting James takes seconds. */
    static JamesServerExtension perClass() {
        return new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> MemoryJamesConfiguration.builder()
            .workingDirectory(tmpDir)
            .configurationFromClasspath()
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build())
            .server(JamesUnderTest::withSmtpPorts)
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
        return withSmtpPorts(configuration);
    }

    /**
     * A started James: the tests' mailet container, the SMTP servers of the resource
     * {@code smtpServers}, and one local user (its domain added). Stopped again if it fails to
     * start, so that a failed start leaves no half-started server behind.
     */
    public static GuiceJamesServer started(Path workingDirectory, String smtpServers, String user, String password)
            throws Exception {
        ConfDirectory.write(workingDirectory, ConfDirectory.resource(smtpServers), ConfDirectory.resource("mailetcontainer.xml"));
        GuiceJamesServer james = server(workingDirectory);
        try {
            james.start();
            james.getProbe(DataProbeImpl.class).fluent().addDomain(user.substring(user.indexOf('@') + 1)).addUser(user, password);
            return james;
        } catch (Exception | Error e) {
            james.stop();
            throw e;
        }
    }

    private static GuiceJamesServer withSmtpPorts(MemoryJamesConfiguration configuration) {
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

    /** The mail with this subject, once the mailet container has stored it (within {@link #STORED_WITHIN}). */
    public static StoredMail awaitMail(GuiceJamesServer server, String subject) {
        return await().atMost(STORED_WITHIN).until(() -> find(server, subject), Optional::isPresent).orElseThrow();
    }

    /**
     * The mails with these subjects, in their order, once the mailet container has stored every
     * one (within {@link #STORED_WITHIN}): one read of the repositories per look, where
     * {@link #awaitMail} for each would wait a poll interval per mail.
     */
    public static List<StoredMail> awaitMails(GuiceJamesServer server, List<String> subjects) {
        Set<String> wanted = Set.copyOf(subjects);
        Map<String, StoredMail> bySubject = await().atMost(STORED_WITHIN)
            .until(() -> storedWith(server, wanted::contains).stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (first, again) -> first)),
                found -> found.size() == wanted.size());
        return subjects.stream().map(bySubject::get).collect(Collectors.toList());
    }

    /** The mail with this subject, in whichever cbv-* repository it was stored. */
    public static Optional<StoredMail> find(GuiceJamesServer server, String subject) throws Exception {
        return storedWith(server, subject::equals).stream().map(Map.Entry::getValue).findFirst();
    }

    /**
     * How many mails the cbv-* repositories hold: cheap enough to ask every few milliseconds,
     * where {@link #find} copies every stored mail.
     */
    static long storedCount(GuiceJamesServer server) throws Exception {
        MailRepositoryProbeImpl probe = server.getProbe(MailRepositoryProbeImpl.class);
        long count = 0;
        for (String name : REPOSITORIES) {
            count += probe.getRepositoryMailCount(repository(name));
        }
        return count;
    }

    /** The stored mails whose subject {@code wanted} accepts, by subject. */
    private static List<Map.Entry<String, StoredMail>> storedWith(GuiceJamesServer server, Predicate<String> wanted) throws Exception {
        MailRepositoryReader reader = new MailRepositoryReader(server.getProbe(MailRepositoryProbeImpl.class), JamesUnderTest::repository);
        return reader.readEach(REPOSITORIES, (repository, mail) -> {
            String subject = mail.getMessage().getSubject();
            return subject != null && wanted.test(subject)
                ? Optional.of(Map.entry(subject, new StoredMail(repository, mail, new MimeMessage(mail.getMessage()))))
                : Optional.empty();
        });
    }

    /** The memory repository the mailet container of the test configuration names {@code name}. */
    static MailRepositoryUrl repository(String name) {
        return MailRepositoryUrl.from("memory://var/mail/" + name + "/");
    }

    /**
     * The live threads of our engine and limits (named cbv-smtp-N, cbv-dns-N, cbv-timer, cbv-limits)
     * that are not in {@code before}: other tests of the same JVM may have left some of their own.
     */
    public static List<String> engineThreadsSince(Set<Thread> before) {
        return threadsSince(before, JamesUnderTest::isEngineThread);
    }

    /** Whether {@code name} is one of our engine's or limits' threads. */
    static boolean isEngineThread(String name) {
        return name.startsWith("cbv-smtp-") || name.startsWith("cbv-dns-") || name.equals("cbv-timer") || name.equals("cbv-limits");
    }

    /** The names of the live threads not in {@code before} whose name passes {@code name}, sorted. */
    static List<String> threadsSince(Set<Thread> before, Predicate<String> name) {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && !before.contains(t))
            .map(Thread::getName)
            .filter(name)
            .sorted()
            .collect(Collectors.toList());
    }
}
