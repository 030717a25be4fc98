package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.inject.multibindings.Multibinder;
import io.github.jamescbv.testing.ConfDirectory;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.GuiceProbe;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf-samples/ is what users copy: James must boot from it as it is, with only the ports
 * (and, to reach the scripted remote on loopback, the map and allowPrivateTargets) changed.
 * Also: a mistake in the handler's configuration stops James.
 */
class ConfSamplesTest {
    static final String BOB = "bob@local.test";

    @Test
    void jamesBootsFromTheSamplesAndRoutesMailByTheVerdict(@TempDir Path workingDirectory) throws Exception {
        try (ScriptedSmtpServer mx = ScriptedSmtpServer.start(SmtpScript.standard().rcpt(address ->
            address.startsWith("error") ? "550 5.1.1 User unknown" : "250 2.1.5 Ok"))) {
            String smtp = ConfDirectory.sample("smtpserver.xml");
            smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:25</bind>", "<bind>127.0.0.1:0</bind>");
            smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:465</bind>", "<bind>127.0.0.1:0</bind>");
            smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:587</bind>", "<bind>127.0.0.1:0</bind>");
            smtp = ConfDirectory.replace(smtp, "<!-- <entry from=\"yahoo.net\" to=\"yahoo.com\"/> -->",
                "<entry from=\"remote.example\" to=\"[127.0.0.1]:" + mx.port() + "\"/>");
            smtp = ConfDirectory.replace(smtp, "<allowPrivateTargets>false</allowPrivateTargets>",
                "<allowPrivateTargets>true</allowPrivateTargets>");
            ConfDirectory.write(workingDirectory, smtp, ConfDirectory.sample("mailetcontainer.xml"));

            GuiceJamesServer james = server(workingDirectory);
            james.start();
            try {
                james.getProbe(DataProbeImpl.class).fluent().addDomain("local.test").addUser(BOB, "secret");
                int port = james.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
                try (SmtpClient c = SmtpClient.connect(port).greetAndEhlo()) {
                    expect(250, c.sendMail("alice@remote.example", BOB, "from a sender that exists"));
                    expect(250, c.sendMail("error-nobody@remote.example", BOB, "from a sender that does not"));
                }

                MailRepositoryProbeImpl repositories = james.getProbe(MailRepositoryProbeImpl.class);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(repositories.getRepositoryMailCount(MailRepositoryUrl.from("memory://var/mail/cbv-pass/")))
                        .isEqualTo(1);
                    assertThat(repositories.getRepositoryMailCount(MailRepositoryUrl.from("memory://var/mail/cbv-error/")))
                        .isEqualTo(1);
                });
                assertThat(mx.connections()).hasSize(2);
            } finally {
                james.stop();
            }
        }
    }

    @Test
    void aBadHandlerConfigurationStopsJamesNamingElementAndValue(@TempDir Path workingDirectory) throws Exception {
        String smtp = ConfDirectory.sample("smtpserver.xml");
        smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:25</bind>", "<bind>127.0.0.1:0</bind>");
        smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:465</bind>", "<bind>127.0.0.1:0</bind>");
        smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:587</bind>", "<bind>127.0.0.1:0</bind>");
        smtp = ConfDirectory.replace(smtp, "<phase>rcptto</phase>", "<phase>data</phase>");
        ConfDirectory.write(workingDirectory, smtp, ConfDirectory.sample("mailetcontainer.xml"));

        GuiceJamesServer james = server(workingDirectory);
        try {
            // james.exit.on.startup.error=false (pom): James throws instead of exiting the JVM.
            assertThatThrownBy(james::start)
                .hasRootCauseInstanceOf(ConfigurationException.class)
                .rootCause()
                .hasMessageContaining("<phase>")
                .hasMessageContaining("data");
        } finally {
            james.stop();
        }
    }

    private static GuiceJamesServer server(Path workingDirectory) {
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .workingDirectory(workingDirectory.toFile())
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build();
        return MemoryJamesServerMain.createServer(configuration)
            .combineWith(binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(SmtpPortsProbe.class));
    }
}
