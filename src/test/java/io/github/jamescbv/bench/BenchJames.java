package io.github.jamescbv.bench;

import com.google.inject.multibindings.Multibinder;
import io.github.jamescbv.james.e2e.SmtpPortsProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.GuiceProbe;

/**
 * A real James 3.8.1 memory server for the benchmark, booted in-process from a working
 * directory of its own: {@code conf/} holds the memory server's test configuration (James's
 * test jar) with the other protocols off, the benchmark's {@code bench/mailetcontainer.xml}, and {@code bench/smtpserver.xml}
 * or the SMTP servers of another benchmark.
 * A working directory rather than the class path, because the class path's smtpserver.xml is
 * the end-to-end tests' and must stay theirs.
 */
final class BenchJames implements AutoCloseable {
    /** James's test configuration, but for the servers below and the files the benchmark brings. */
    private static final List<String> JAMES_TEST_FILES = List.of("dnsservice.xml", "domainlist.xml",
        "keystore", "listeners.xml", "mailrepositorystore.xml", "usersrepository.xml");
    /**
     * The other protocols' servers, off: a benchmark speaks SMTP only. Their files from the class
     * path would be the IMAP and POP3 jars' (those jars come before James's test jar), bound to
     * ports 143 and 110, and a second James on the machine (a test run, another benchmark) could
     * not boot; so would JMX, on localhost:9999.
     */
    private static final Map<String, String> SERVERS_OFF = Map.of(
        "imapserver.xml", "<imapservers><imapserver enabled=\"false\"/></imapservers>\n",
        "pop3server.xml", "<pop3servers><pop3server enabled=\"false\"/></pop3servers>\n",
        "lmtpserver.xml", "<lmtpservers><lmtpserver enabled=\"false\"/></lmtpservers>\n",
        "managesieveserver.xml", "<managesieveservers><managesieveserver enabled=\"false\"/></managesieveservers>\n",
        "jmx.properties", "jmx.enabled=false\n");
    /** The benchmark's mailet container: every mail dropped as soon as the spooler takes it. */
    private static final String MAILET_CONTAINER = "bench/mailetcontainer.xml";
    private static final String SMTP_SERVERS = "bench/smtpserver.xml";

    private final Path workingDirectory;
    private final GuiceJamesServer server;

    private BenchJames(Path workingDirectory, GuiceJamesServer server) {
        this.workingDirectory = workingDirectory;
        this.server = server;
    }

    /** Boots James (about ten seconds); the system properties its smtpserver.xml reads must be set already. */
    static BenchJames start() throws Exception {
        return start(SMTP_SERVERS);
    }

    /** Boots James with the SMTP servers of the resource {@code smtpServers} (the mailet container stays the benchmark's). */
    static BenchJames start(String smtpServers) throws Exception {
        Path dir = Files.createTempDirectory("james-bench");
        Path conf = Files.createDirectories(dir.resolve("conf"));
        for (String name : JAMES_TEST_FILES) {
            copyResource(name, conf.resolve(name));
        }
        for (Map.Entry<String, String> off : SERVERS_OFF.entrySet()) {
            Files.writeString(conf.resolve(off.getKey()), off.getValue());
        }
        copyResource(smtpServers, conf.resolve("smtpserver.xml"));
        copyResource(MAILET_CONTAINER, conf.resolve("mailetcontainer.xml"));
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .workingDirectory(dir.toFile())
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build();
        GuiceJamesServer server = MemoryJamesServerMain.createServer(configuration)
            .combineWith(binder -> {
                Multibinder<GuiceProbe> probes = Multibinder.newSetBinder(binder, GuiceProbe.class);
                probes.addBinding().to(SmtpPortsProbe.class);
                probes.addBinding().to(SpoolProbe.class);
                probes.addBinding().to(VerdictCountProbe.class);
            });
        server.start();
        return new BenchJames(dir, server);
    }

    /** The port of the SMTP server with this helloName. */
    int smtpPort(String helloName) {
        return server.getProbe(SmtpPortsProbe.class).port(helloName);
    }

    /** Mails accepted over SMTP that the mailet container has not taken yet. */
    long spoolSize() throws Exception {
        return server.getProbe(SpoolProbe.class).spoolSize();
    }

    /** Verifications that ended with {@code pass} since James booted, from the cache or not. */
    long passVerdicts() {
        return server.getProbe(VerdictCountProbe.class).count("pass");
    }

    void addDomainAndUser(String domain, String user, String password) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addDomain(domain).addUser(user, password);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            deleteQuietly(workingDirectory);
        }
    }

    private static void copyResource(String resource, Path target) throws IOException {
        try (InputStream in = BenchJames.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " not on the class path (test resources, james-server-memory-app test-jar)");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temp directory left behind is not worth failing the benchmark for
        }
    }
}
