package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;

import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.ConfDirectory;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.james.GuiceJamesServer;
import org.apache.james.utils.DataProbeImpl;

/**
 * One James of several in this JVM ({@link TwoNodesRedisTest}, the two-node flood benchmark): its
 * working directory and SMTP server are its own; each start is a new James.
 *
 * <p>Two {@link GuiceJamesServer}s run side by side in one JVM: each has its own injector, hence
 * its own {@code CbvRuntime}, near-cache, mail repositories and users. What they do share: the
 * platform MBean server, where James registers each SMTP server under its {@code jmxName} and the
 * mailet container's processors under their names (so each node's jmxName is its own, and the
 * processors are not registered); and James's static state, which is not made for two servers
 * starting at once (in 3.8.1 the JMAP {@code ObjectMapperFactory} constructor adds to a static
 * {@code ImmutableSet.Builder}: two servers starting together failed with a NullPointerException
 * there), so whoever starts nodes starts them one after the other.
 */
public final class JamesNode {
    public static final String LOCAL_DOMAIN = "local.test";
    /** The local user every message is for. */
    public static final String RECIPIENT = "bob@" + LOCAL_DOMAIN;

    /** The helloName of the node's SMTP server. */
    public final String hello;
    public final RunningJames james;
    private final Path workingDirectory;
    private volatile GuiceJamesServer server;

    /**
     * @param smtpServers an smtpserver.xml such as {@code nodes/smtpserver.xml}, where {@code NODE}
     *                    stands for the node's name (its jmxName and helloName)
     */
    public JamesNode(String name, Path root, String smtpServers) throws IOException {
        this.hello = name + ".cbv.test";
        this.james = new RunningJames(() -> server);
        this.workingDirectory = root.resolve(name);
        // Every MBean name must be the node's own or not registered at all: the SMTP server's
        // jmxName is (NODE), and the mailet container's processors ("root"...) are not registered.
        ConfDirectory.write(workingDirectory,
            ConfDirectory.replace(smtpServers, "NODE", name),
            ConfDirectory.replace(ConfDirectory.resource("mailetcontainer.xml"), "<processors>",
                "<processors enableJmx=\"false\">"));
    }

    /** Boots a new James (seconds) with the local user {@link #RECIPIENT}; never while another node is starting. */
    public void start() throws Exception {
        server = JamesUnderTest.server(workingDirectory);
        server.start();
        server.getProbe(DataProbeImpl.class).fluent().addDomain(LOCAL_DOMAIN).addUser(RECIPIENT, "secret");
    }

    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** One mail from {@code sender}, on a connection of its own from {@code client}, as stored. */
    StoredMail deliver(String client, String sender, UniqueNames names) throws Exception {
        String subject = names.unique("subject");
        try (SmtpClient c = james.connect(hello, client)) {
            expect(250, c.sendMail(sender, RECIPIENT, subject));
        }
        return james.awaitMail(subject);
    }
}
