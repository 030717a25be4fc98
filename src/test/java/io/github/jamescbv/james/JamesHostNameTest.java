package io.github.jamescbv.james;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.HeloName;
import java.io.StringReader;
import java.util.List;
import java.util.Optional;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.junit.jupiter.api.Test;

/**
 * Which name the probes say when the handler or the mailet has no heloName: James's SMTP server's,
 * then its DNSService's, then the engine's own. smtpserver.xml as James reads it; a handler's
 * configuration as James hands it over (a detached copy of its {@code <handler>}).
 */
class JamesHostNameTest {
    private static final String HANDLER = "<handler class=\"" + CallbackVerifyHandler.class.getName() + "\">";
    private static final String OTHER = "<handler class=\"org.apache.james.smtpserver.fastfail.ValidRcptHandler\"/>";
    private static final String LOCAL_HOST_NAME = "autodetected";

    private static XMLConfiguration smtpservers(String... servers) throws ConfigurationException {
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(new StringReader("<smtpservers>" + String.join("", servers) + "</smtpservers>"));
        return xml;
    }

    private static String server(String jmxName, String helloName, String... handlers) {
        return "<smtpserver enabled=\"true\"><jmxName>" + jmxName + "</jmxName>" + helloName
            + "<handlerchain>" + String.join("", handlers) + "</handlerchain></smtpserver>";
    }

    private static String fixed(String name) {
        return "<helloName autodetect=\"false\">" + name + "</helloName>";
    }

    /** The {@code index}-th handler of the {@code block}-th smtpserver, as James gives it to init(). */
    private static HierarchicalConfiguration<ImmutableNode> handlerOf(XMLConfiguration xml, int block, int index) {
        return xml.configurationsAt("smtpserver").get(block).configurationAt("handlerchain")
            .configurationsAt("handler").get(index);
    }

    private static JamesHostName names(XMLConfiguration xml, Optional<String> dnsName) {
        return new JamesHostName(() -> Optional.of(SmtpServerNames.read(xml, CallbackVerifyHandler.class.getName(),
            () -> LOCAL_HOST_NAME)), () -> dnsName);
    }

    @Test
    void aHandlerTakesTheHelloNameOfTheServerItIsConfiguredIn() throws Exception {
        XMLConfiguration xml = smtpservers(
            server("port25", fixed("mx.example.org"), OTHER, HANDLER + "<phase>rcptto</phase></handler>"),
            server("port587", fixed("submit.example.org"), HANDLER + "<phase>mailfrom</phase></handler>"));

        HeloName first = names(xml, Optional.empty()).forHandler(handlerOf(xml, 0, 1));
        HeloName second = names(xml, Optional.empty()).forHandler(handlerOf(xml, 1, 0));

        assertThat(first.name()).isEqualTo("mx.example.org");
        assertThat(first.source()).isEqualTo("the <helloName> of <smtpserver> port25");
        assertThat(second.name()).isEqualTo("submit.example.org");
    }

    @Test
    void autodetectOrNoHelloNameMeansTheLocalHostNameAsJamesFindsIt() throws Exception {
        XMLConfiguration xml = smtpservers(
            server("absent", "", HANDLER + "<phase>rcptto</phase></handler>"),
            server("auto", "<helloName autodetect=\"true\">ignored.example.org</helloName>",
                HANDLER + "<phase>mailfrom</phase></handler>"));

        assertThat(names(xml, Optional.empty()).forHandler(handlerOf(xml, 0, 0)).name()).isEqualTo(LOCAL_HOST_NAME);
        assertThat(names(xml, Optional.empty()).forHandler(handlerOf(xml, 1, 0)).name()).isEqualTo(LOCAL_HOST_NAME);
    }

    @Test
    void theOrderOfAHandlersElementsDoesNotHideIt() throws Exception {
        XMLConfiguration xml = smtpservers(server("port25", fixed("mx.example.org"),
            HANDLER + "<phase>rcptto</phase><map><entry from=\"a.test\" to=\"b.test\"/></map></handler>"));
        XMLConfiguration reordered = smtpservers(server("elsewhere", fixed("other.example.org"),
            HANDLER + "<map><entry to=\"b.test\" from=\"a.test\"/></map><phase>rcptto</phase></handler>"));

        assertThat(names(xml, Optional.empty()).forHandler(handlerOf(reordered, 0, 0)).name()).isEqualTo("mx.example.org");
    }

    @Test
    void aDisabledServerAnnouncesNothing() throws Exception {
        XMLConfiguration xml = smtpservers(
            "<smtpserver enabled=\"false\"><jmxName>off</jmxName>" + fixed("off.example.org")
                + "<handlerchain>" + HANDLER + "</handler></handlerchain></smtpserver>",
            server("on", fixed("on.example.org"), HANDLER + "</handler>"));

        assertThat(names(xml, Optional.empty()).forHandler(handlerOf(xml, 1, 0)).name()).isEqualTo("on.example.org");
        assertThat(names(xml, Optional.empty()).forMailet().name()).isEqualTo("on.example.org");
    }

    @Test
    void identicalHandlersInServersWithDifferentNamesTakeTheFirstServers() throws Exception {
        XMLConfiguration xml = smtpservers(
            server("a", fixed("a.example.org"), HANDLER + "<phase>rcptto</phase></handler>"),
            server("b", fixed("b.example.org"), HANDLER + "<phase>rcptto</phase></handler>"));

        assertThat(names(xml, Optional.empty()).forHandler(handlerOf(xml, 1, 0)).name()).isEqualTo("a.example.org");
    }

    @Test
    void aHandlerNotInSmtpserverXmlTakesTheDnsServiceNameWithoutItsRootDot() throws Exception {
        XMLConfiguration xml = smtpservers(server("port25", fixed("mx.example.org"), HANDLER + "<phase>rcptto</phase></handler>"));
        XMLConfiguration lmtp = smtpservers(server("lmtp", fixed("lmtp.example.org"), HANDLER + "<phase>mailfrom</phase></handler>"));

        HeloName name = names(xml, Optional.of("host.example.org.")).forHandler(handlerOf(lmtp, 0, 0));

        assertThat(name.name()).isEqualTo("host.example.org");
        assertThat(name.source()).isEqualTo("James's DNSService name for this host");
    }

    @Test
    void withoutAServerOrAReverseNameTheEngineDefaultIsLeft() throws Exception {
        XMLConfiguration none = smtpservers();
        // DNSService answers the address itself when the host has no PTR record: no name.
        assertThat(names(none, Optional.of("192.0.2.7")).forMailet().name()).isEqualTo(HeloName.local().name());
        assertThat(names(none, Optional.empty()).forMailet().name()).isEqualTo(HeloName.local().name());
        assertThat(JamesHostName.UNKNOWN.forMailet().name()).isEqualTo(HeloName.local().name());
        assertThat(new JamesHostName(Optional::empty, () -> Optional.of("bad name!")).forMailet().name())
            .isEqualTo(HeloName.local().name());
    }

    @Test
    void anUnusableHelloNameIsPassedOver() throws Exception {
        XMLConfiguration xml = smtpservers(server("port25", fixed("my mail server"), HANDLER + "</handler>"));

        assertThat(names(xml, Optional.of("host.example.org")).forHandler(handlerOf(xml, 0, 0)).name())
            .isEqualTo("host.example.org");
    }

    @Test
    void aMailetTakesTheNameEveryServerAnnouncesOrTheFirstServers() throws Exception {
        XMLConfiguration same = smtpservers(server("25", fixed("mx.example.org")), server("587", fixed("mx.example.org")));
        XMLConfiguration different = smtpservers(server("25", fixed("mx.example.org")),
            server("587", fixed("submit.example.org")), server("465", fixed("smtps.example.org")));

        HeloName agreed = names(same, Optional.empty()).forMailet();
        HeloName first = names(different, Optional.empty()).forMailet();

        assertThat(agreed.name()).isEqualTo("mx.example.org");
        assertThat(agreed.source()).isEqualTo("the <helloName> of James's SMTP servers");
        assertThat(first.name()).isEqualTo("mx.example.org");
        assertThat(first.source()).isEqualTo("the <helloName> of the first <smtpserver>, 25; the others announce "
            + List.of("submit.example.org", "smtps.example.org"));
    }
}
