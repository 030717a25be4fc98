package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.james.CallbackVerifyHandler;
import io.github.jamescbv.james.JamesHostName;
import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.testing.ConfDirectory;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import java.nio.file.Path;
import java.util.List;
import org.apache.james.GuiceJamesServer;
import org.apache.james.utils.DataProbeImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code <heloName>}, the probes say the name James's own SMTP server announces: a
 * real James with four {@code <smtpserver>} blocks, each with a handler that has no
 * {@code <heloName>}, and the on-demand mailet without one either, calling back a scripted MX
 * that records each probe's EHLO.
 * <ul>
 *   <li>{@code cbv-announced} announces {@code mx.announced.test};</li>
 *   <li>{@code cbv-nodot} announces {@code mailhost}: its probes say it too, and James starts with
 *       one WARN saying it is not a fully qualified domain name;</li>
 *   <li>{@code cbv-twin-a} and {@code cbv-twin-b} hold the same handler configuration and announce
 *       different names: James does not tell a handler which block it sits in, so both say the
 *       first's, with a WARN that says so.</li>
 * </ul>
 */
class HeloNameJamesTest {
    private static final String BOB = "bob@local.test";
    private static final String NOT_FQDN = "which is not a fully qualified domain name";

    @Test
    void theProbesSayTheNameJamesAnnouncesAndANameWithoutADotIsWarnedAboutAtStart(@TempDir Path workingDirectory)
        throws Exception {
        try (ScriptedSmtpServer mx = ScriptedSmtpServer.start(SmtpScript.standard());
             LoggedLines handlerLog = new LoggedLines(CallbackVerifyHandler.class);
             LoggedLines hostNameLog = new LoggedLines(JamesHostName.class)) {
            String target = "[127.0.0.1]:" + mx.port();
            ConfDirectory.write(workingDirectory, smtpServers(target), mailets(target));
            handlerLog.attach();
            hostNameLog.attach();

            GuiceJamesServer james = JamesUnderTest.server(workingDirectory);
            james.start();
            try {
                james.getProbe(DataProbeImpl.class).fluent().addDomain("local.test").addUser(BOB, "secret");
                SmtpPortsProbe ports = james.getProbe(SmtpPortsProbe.class);

                String announced = sendThrough(ports.port("mx.announced.test"), "announced@remote.example",
                    "Carol <carol@remote.example>");
                sendThrough(ports.port("mailhost"), "nodot@remote.example", null);
                sendThrough(ports.port("b.twins.test"), "twin@remote.example", null);
                StoredMail mail = JamesUnderTest.awaitMail(james, "from announced@remote.example");

                assertThat(announced).as("James's own EHLO reply").startsWith("250-mx.announced.test ");
                assertThat(ehloOf(mx, "announced@remote.example")).isEqualTo("EHLO mx.announced.test");
                assertThat(ehloOf(mx, "nodot@remote.example")).isEqualTo("EHLO mailhost");
                assertThat(ehloOf(mx, "twin@remote.example")).isEqualTo("EHLO a.twins.test");
                // The mailet belongs to no server: the first server's name, the others differing.
                assertThat(mail.result("smtp_cbv_from")).contains("pass");
                assertThat(ehloOf(mx, "carol@remote.example")).isEqualTo("EHLO mx.announced.test");

                assertThat(handlerLog.matching(line -> line.contains(NOT_FQDN))).singleElement().asString()
                    .startsWith("CallbackVerifyHandler: the probes will say EHLO mailhost (the <helloName> of "
                        + "<smtpserver> cbv-nodot), " + NOT_FQDN + ": it has no dot.")
                    .contains("set <heloName> in the handler (smtpserver.xml)");
                assertThat(hostNameLog.matching(line -> line.contains("[cbv-twin-a, cbv-twin-b]"))).singleElement()
                    .asString().contains("[a.twins.test, b.twins.test]").contains("say EHLO a.twins.test");
            } finally {
                james.stop();
            }
        }
    }

    /** One mail from {@code sender} through the SMTP server on {@code port}; James's EHLO reply's first line. */
    private static String sendThrough(int port, String sender, String fromHeader) throws Exception {
        try (SmtpClient c = SmtpClient.connect(port)) {
            expect(220, c.read());
            SmtpClient.Reply ehlo = expect(250, c.command("EHLO client.test"));
            String subject = "from " + sender;
            expect(250, fromHeader == null ? c.sendMail(sender, BOB, subject) : c.sendMail(sender, BOB, subject, fromHeader));
            return ehlo.lines.get(0);
        }
    }

    /** The EHLO of the probe that asked the scripted MX about {@code address}. */
    private static String ehloOf(ScriptedSmtpServer mx, String address) {
        List<String> commands = mx.connections().stream().map(ScriptedSmtpServer.Connection::commands)
            .filter(c -> c.contains("RCPT TO:<" + address + ">"))
            .findFirst().orElseThrow(() -> new AssertionError("no probe for " + address + " in " + mx.connections()));
        return commands.get(0);
    }

    private static String smtpServers(String target) {
        return "<smtpservers>"
            + server("cbv-announced", "mx.announced.test", handler(target, "10s"))
            + server("cbv-nodot", "mailhost", handler(target, "11s"))
            + server("cbv-twin-a", "a.twins.test", handler(target, "12s"))
            + server("cbv-twin-b", "b.twins.test", handler(target, "12s"))
            + "</smtpservers>";
    }

    private static String server(String jmxName, String helloName, String handler) {
        return "<smtpserver enabled=\"true\"><jmxName>" + jmxName + "</jmxName><bind>127.0.0.1:0</bind>"
            + "<helloName autodetect=\"false\">" + helloName + "</helloName>"
            // loopback clients are the outside world here: no relay rights, so the handler verifies them
            + "<authorizedAddresses>192.0.2.1/32</authorizedAddresses><verifyIdentity>false</verifyIdentity>"
            + "<handlerchain>" + handler + "<handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/>"
            + "</handlerchain><gracefulShutdown>false</gracefulShutdown></smtpserver>";
    }

    /** No heloName; maxWait tells the handlers apart (equal where they are to be identical). */
    private static String handler(String target, String maxWait) {
        return "<handler class=\"io.github.jamescbv.james.CallbackVerifyHandler\">"
            + "<map><entry from=\"remote.example\" to=\"" + target + "\"/></map>"
            + "<maxWait>" + maxWait + "</maxWait><allowPrivateTargets>true</allowPrivateTargets></handler>";
    }

    /** The test mailet container, the on-demand mailet (no heloName) verifying From first. */
    private static String mailets(String target) throws Exception {
        String root = "<processor state=\"root\" enableJmx=\"false\">";
        return ConfDirectory.replace(ConfDirectory.resource("mailetcontainer.xml"), root, root
            + "<mailet match=\"All\" class=\"io.github.jamescbv.james.CallbackVerifyMailet\">"
            + "<address>header:From</address><attribute>smtp_cbv_from</attribute>"
            + "<map>remote.example=" + target + "</map><allowPrivateTargets>true</allowPrivateTargets></mailet>");
    }
}
