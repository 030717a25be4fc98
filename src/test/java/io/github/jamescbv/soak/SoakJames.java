package io.github.jamescbv.soak;

import com.google.inject.multibindings.Multibinder;
import io.github.jamescbv.bench.SpoolProbe;
import io.github.jamescbv.james.e2e.JamesUnderTest;
import io.github.jamescbv.james.e2e.MailRepositoryReader;
import io.github.jamescbv.testing.ConfDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.james.GuiceJamesServer;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.GuiceProbe;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.mailet.AttributeName;

/**
 * The soak run's James 3.8.1: the e2e bootstrap ({@link JamesUnderTest#server}) from a working
 * directory whose conf/ has the soak's smtpserver.xml, mailetcontainer.xml (every mail into a
 * FILE repository named for its verdict) and mailrepositorystore.xml.
 */
final class SoakJames implements AutoCloseable {
    static final String ATTRIBUTE = JamesUnderTest.ATTRIBUTE;
    /** The repositories mailetcontainer.xml stores into; "error" is James's error processor's. */
    static final List<String> REPOSITORIES = List.of("cbv-pass", "cbv-error", "cbv-transient", "cbv-none", "error");

    private final GuiceJamesServer server;

    private SoakJames(GuiceJamesServer server) {
        this.server = server;
    }

    /** A stored mail, as much of it as the checks need (read, then disposed). */
    static final class StoredMail {
        final String repository;
        final String sender;
        final Optional<String> result;

        StoredMail(String repository, String sender, Optional<String> result) {
            this.repository = repository;
            this.sender = sender;
            this.result = result;
        }
    }

    static SoakJames start(Path workingDirectory) throws Exception {
        ConfDirectory.write(workingDirectory, ConfDirectory.resource("soak/smtpserver.xml"), ConfDirectory.resource("soak/mailetcontainer.xml"));
        Path conf = workingDirectory.resolve("conf");
        Files.writeString(conf.resolve("mailrepositorystore.xml"), ConfDirectory.resource("soak/mailrepositorystore.xml"),
            StandardCharsets.UTF_8);
        GuiceJamesServer server = JamesUnderTest.server(workingDirectory)
            .combineWith(binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(SpoolProbe.class));
        server.start();
        return new SoakJames(server);
    }

    int smtpPort() {
        return server.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
    }

    void addDomainAndUser(String domain, String user) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addDomain(domain).addUser(user, "secret");
    }

    long spoolSize() throws Exception {
        return server.getProbe(SpoolProbe.class).spoolSize();
    }

    /** Mails in each repository (file repositories count their files). */
    Map<String, Long> repositoryCounts() throws Exception {
        MailRepositoryProbeImpl probe = server.getProbe(MailRepositoryProbeImpl.class);
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String name : REPOSITORIES) {
            counts.put(name, probe.getRepositoryMailCount(url(name)));
        }
        return counts;
    }

    /** Every stored mail, read back from disk (and disposed: {@link MailRepositoryReader}). */
    List<StoredMail> storedMails() throws Exception {
        MailRepositoryReader reader = new MailRepositoryReader(server.getProbe(MailRepositoryProbeImpl.class), SoakJames::url);
        return reader.readEach(REPOSITORIES, (name, mail) -> {
            Optional<String> result = mail.getAttribute(AttributeName.of(ATTRIBUTE))
                .map(a -> String.valueOf(a.getValue().getValue()));
            return Optional.of(new StoredMail(name, mail.getMaybeSender().asString(), result));
        });
    }

    @Override
    public void close() {
        server.stop();
    }

    private static MailRepositoryUrl url(String name) {
        return MailRepositoryUrl.from("file://var/mail/" + name + "/");
    }
}
