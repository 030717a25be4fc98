package io.github.jamescbv.bench;

import com.google.inject.multibindings.Multibinder;
import io.github.jamescbv.james.e2e.JamesUnderTest;
import io.github.jamescbv.james.e2e.SmtpPortsProbe;
import io.github.jamescbv.testing.ConfDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.james.GuiceJamesServer;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.GuiceProbe;

/**
 * A real James 3.8.1 memory server for the benchmark, booted in-process (the e2e bootstrap,
 * {@link JamesUnderTest#server}) from a working directory of its own: {@code conf/} holds the memory server's test configuration (James's
 * test jar) with the other protocols off, the benchmark's {@code bench/mailetcontainer.xml}, and {@code bench/smtpserver.xml}
 * or the SMTP servers of another benchmark.
 * A working directory rather than the class path, because the class path's smtpserver.xml is
 * the end-to-end tests' and must stay theirs.
 */
final class BenchJames implements AutoCloseable {
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
        // James's test configuration with the other protocols' servers and JMX off (ConfDirectory):
        // a second James on the machine (a test run, another benchmark) must not stop this one booting.
        ConfDirectory.write(dir, withStore(ConfDirectory.resource(smtpServers)), ConfDirectory.resource(MAILET_CONTAINER));
        GuiceJamesServer server = JamesUnderTest.server(dir)
            .combineWith(binder -> {
                Multibinder<GuiceProbe> probes = Multibinder.newSetBinder(binder, GuiceProbe.class);
                probes.addBinding().to(SpoolProbe.class);
                probes.addBinding().to(VerdictCountProbe.class);
            });
        server.start();
        return new BenchJames(dir, server);
    }

    /**
     * The handler's memory in Redis when the system property {@code cbv.bench.redis} names one
     * (its near-cache sized by {@code cbv.bench.nearCache}, default the handler's), else in memory.
     */
    static String withStore(String smtpServers) {
        String redis = System.getProperty("cbv.bench.redis");
        if (redis == null) {
            return smtpServers;
        }
        String handler = "<handler class=\"io.github.jamescbv.james.CallbackVerifyHandler\">";
        String near = System.getProperty("cbv.bench.nearCache");
        String element = "<redis><url>" + redis + "</url>"
            + (near == null ? "" : "<nearCacheEntries>" + Integer.parseInt(near) + "</nearCacheEntries>") + "</redis>";
        if (!smtpServers.contains(handler)) {
            throw new IllegalStateException("no CallbackVerifyHandler to give <redis> to");
        }
        return smtpServers.replace(handler, handler + element);
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
