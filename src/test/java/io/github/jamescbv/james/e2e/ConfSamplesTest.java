package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.ConfDirectory;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.verify.VerifierSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import javax.mail.MessagingException;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.GuiceJamesServer;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf-samples/ is what users copy: James must boot from it as it is, with only the ports
 * (and, to reach the scripted remote on loopback, the maps and allowPrivateTargets) changed.
 * Both sample files are loaded by one James: the handler of smtpserver.xml and the routing and
 * the on-demand mailet of mailetcontainer.xml. Also: a mistake in the handler's or the
 * mailet's configuration stops James.
 */
class ConfSamplesTest {
    static final String BOB = "bob@local.test";
    /** The attribute of the sample's mailet, which verifies the From header. */
    static final String FROM_ATTRIBUTE = "smtp_cbv_from";

    @Test
    void jamesBootsFromTheSamplesAndRoutesMailByTheVerdicts(@TempDir Path workingDirectory) throws Exception {
        try (ScriptedSmtpServer mx = ScriptedSmtpServer.start(SmtpScript.standard().rcpt(address ->
            address.startsWith("error") ? "550 5.1.1 User unknown"
                : address.startsWith("transient") ? "450 4.2.0 Greylisted" : "250 2.1.5 Ok"))) {
            String mxTarget = "[127.0.0.1]:" + mx.port();
            ConfDirectory.write(workingDirectory, smtpServers(mxTarget), mailets(mxTarget));

            Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
            GuiceJamesServer james = JamesUnderTest.server(workingDirectory);
            james.start();
            try {
                james.getProbe(DataProbeImpl.class).fluent().addDomain("local.test").addUser(BOB, "secret");
                int port = james.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
                try (SmtpClient c = SmtpClient.connect(port).greetAndEhlo()) {
                    expect(250, c.sendMail("alice@remote.example", BOB, "from a sender that exists"));
                    expect(250, c.sendMail("error-nobody@remote.example", BOB, "from a sender that does not"));
                    expect(250, c.sendMail("alice@remote.example", BOB, "forged From",
                        "\"Mallory\" <error-mallory@remote.example>"));
                    expect(250, c.sendMail("alice@remote.example", BOB, "greylisted From",
                        "Carol <transient-carol@remote.example>"));
                }

                MailRepositoryProbeImpl repositories = james.getProbe(MailRepositoryProbeImpl.class);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(count(repositories, "cbv-pass")).isEqualTo(2);
                    assertThat(count(repositories, "cbv-error")).isEqualTo(1);
                    assertThat(count(repositories, "cbv-from-error")).isEqualTo(1);
                });

                // The handler's error: quarantined before the mailet, which never sees it.
                StoredMail error = JamesUnderTest.find(james, "from a sender that does not").orElseThrow();
                assertThat(error.repository).isEqualTo("cbv-error");
                assertThat(error.result(FROM_ATTRIBUTE)).isEmpty();

                // From = the envelope sender: the mailet's answer is the handler's, from the shared cache.
                StoredMail same = JamesUnderTest.find(james, "from a sender that exists").orElseThrow();
                assertThat(same.repository).isEqualTo("cbv-pass");
                assertThat(same.result(FROM_ATTRIBUTE)).contains("pass");
                assertThat(same.detail(FROM_ATTRIBUTE)).containsEntry("cached", "true").containsEntry("code", "250");
                assertThat(same.message.getHeader("X-Cbv-From")).isNull();

                // A From whose mail server says it does not exist: routed by HasMailAttributeWithValue.
                StoredMail forged = JamesUnderTest.find(james, "forged From").orElseThrow();
                assertThat(forged.repository).isEqualTo("cbv-from-error");
                assertThat(forged.result()).as("the envelope sender").contains("pass");
                assertThat(forged.result(FROM_ATTRIBUTE)).contains("error");
                assertThat(forged.detail(FROM_ATTRIBUTE)).containsEntry("code", "550").containsEntry("cached", "false");

                // transient: delivered (its copy is in cbv-pass, by the envelope sender's verdict), tagged with a header.
                StoredMail greylisted = JamesUnderTest.find(james, "greylisted From").orElseThrow();
                assertThat(greylisted.repository).isEqualTo("cbv-pass");
                assertThat(greylisted.result(FROM_ATTRIBUTE)).contains("transient");
                assertThat(greylisted.message.getHeader("X-Cbv-From")).containsExactly("transient");

                // RCPT TOs, not connections: the handler's and the mailet's probes share the kept ones
                assertThat(mx.connections().stream().flatMap(c -> c.commands().stream()).filter(l -> l.startsWith("RCPT TO:")))
                    .as("alice and error-nobody by the handler, error-mallory and transient-carol by the mailet; alice "
                        + "again from the cache").hasSize(4);
                assertThat(JamesUnderTest.engineThreadsSince(before)).as("one engine for every handler and the mailet")
                    // Netty starts a loop's thread with its first channel: one kept connection may leave the other unstarted
                    .filteredOn(name -> name.startsWith("cbv-smtp-")).hasSizeBetween(1, VerifierSettings.DEFAULT_IO_THREADS);
            } finally {
                james.stop();
            }
            // James stops the process's engine and limits (@PreDestroy): no thread of ours outlives it.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(JamesUnderTest.engineThreadsSince(before)).isEmpty());
        }
    }

    @Test
    void aBadHandlerConfigurationStopsJamesNamingElementAndValue(@TempDir Path workingDirectory) throws Exception {
        String smtp = ConfDirectory.replace(smtpServers("[127.0.0.1]:25"), "<phase>rcptto</phase>", "<phase>data</phase>");
        ConfDirectory.write(workingDirectory, smtp, ConfDirectory.sample("mailetcontainer.xml"));

        assertThat(startFailure(workingDirectory))
            .hasRootCauseInstanceOf(ConfigurationException.class)
            .rootCause()
            .hasMessageContaining("<phase>")
            .hasMessageContaining("data");
    }

    @Test
    void aBadMailetParameterStopsJamesNamingParameterAndValue(@TempDir Path workingDirectory) throws Exception {
        String mailets = ConfDirectory.replace(ConfDirectory.sample("mailetcontainer.xml"),
            "<maxWait>30s</maxWait>", "<maxWait>forever</maxWait>");
        ConfDirectory.write(workingDirectory, smtpServers("[127.0.0.1]:25"), mailets);

        assertThat(startFailure(workingDirectory))
            .hasRootCauseInstanceOf(MessagingException.class)
            .rootCause()
            .hasMessageContaining("maxWait")
            .hasMessageContaining("forever");
    }

    /**
     * What James throws when it starts from {@code workingDirectory}, null when it starts; stopped
     * again either way. james.exit.on.startup.error=false (pom): James throws instead of exiting the JVM.
     */
    private static Throwable startFailure(Path workingDirectory) {
        GuiceJamesServer james = JamesUnderTest.server(workingDirectory);
        try {
            return catchThrowable(james::start);
        } finally {
            james.stop();
        }
    }

    /** The sample smtpserver.xml on ephemeral loopback ports, the handler calling remote.example back at {@code mxTarget}. */
    static String smtpServers(String mxTarget) throws IOException {
        String smtp = ConfDirectory.sample("smtpserver.xml");
        smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:25</bind>", "<bind>127.0.0.1:0</bind>");
        smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:465</bind>", "<bind>127.0.0.1:0</bind>");
        smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:587</bind>", "<bind>127.0.0.1:0</bind>");
        smtp = ConfDirectory.replace(smtp, "<!-- <entry from=\"yahoo.net\" to=\"yahoo.com\"/> -->",
            "<entry from=\"remote.example\" to=\"" + mxTarget + "\"/>");
        return ConfDirectory.replace(smtp, "<allowPrivateTargets>false</allowPrivateTargets>",
            "<allowPrivateTargets>true</allowPrivateTargets>");
    }

    /** The sample mailetcontainer.xml, its mailet calling remote.example back at {@code mxTarget}. */
    static String mailets(String mxTarget) throws IOException {
        String mailets = ConfDirectory.sample("mailetcontainer.xml");
        mailets = ConfDirectory.replace(mailets, "<map></map>", "<map>remote.example=" + mxTarget + "</map>");
        return ConfDirectory.replace(mailets, "<allowPrivateTargets>false</allowPrivateTargets>",
            "<allowPrivateTargets>true</allowPrivateTargets>");
    }

    private static long count(MailRepositoryProbeImpl repositories, String name) throws Exception {
        return repositories.getRepositoryMailCount(JamesUnderTest.repository(name));
    }
}
