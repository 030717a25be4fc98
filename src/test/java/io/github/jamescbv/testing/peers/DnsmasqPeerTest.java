package io.github.jamescbv.testing.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The dnsmasq fixture itself: every kind of record the builder offers, as a resolver sees it. Address 127.0.0.36. */
@RequiresPeers({Need.ROOT, Need.DNSMASQ})
class DnsmasqPeerTest {
    static DnsmasqPeer dns;
    static long pid;

    @BeforeAll
    static void start() {
        dns = DnsmasqPeer.builder("127.0.0.36", 53).name("fixture-dnsmasq")
            .zone("fixture.test")
            .mx("multi.fixture.test", 20, "mx20.fixture.test")
            .mx("multi.fixture.test", 10, "mx10.fixture.test")
            .a("mx10.fixture.test", "127.0.0.21")
            .aaaa("v6.fixture.test", "::1")
            .nullMx("nullmx.fixture.test")
            .cname("alias.fixture.test", "mx10.fixture.test")
            .failing("broken.test")
            .start();
        pid = dns.pid();
    }

    @AfterAll
    static void stop() {
        dns.close();
        assertThat(PeerProcesses.running(pid)).as("dnsmasq after close").isFalse();
    }

    @Test
    void answersMxWithPreferences() throws IOException {
        assertThat(answers("multi.fixture.test", Type.MX)).containsExactlyInAnyOrder(
            "multi.fixture.test. MX 10 mx10.fixture.test.", "multi.fixture.test. MX 20 mx20.fixture.test.");
    }

    @Test
    void answersAddressesAndCnames() throws IOException {
        assertThat(answers("mx10.fixture.test", Type.A)).containsExactly("mx10.fixture.test. A 127.0.0.21");
        assertThat(answers("v6.fixture.test", Type.AAAA)).containsExactly("v6.fixture.test. AAAA 0:0:0:0:0:0:0:1");
        assertThat(answers("v6.fixture.test", Type.A)).as("AAAA only").isEmpty();
        assertThat(answers("alias.fixture.test", Type.A))
            .contains("alias.fixture.test. CNAME mx10.fixture.test.", "mx10.fixture.test. A 127.0.0.21");
    }

    @Test
    void answersTheNullMx() throws IOException {
        assertThat(answers("nullmx.fixture.test", Type.MX)).containsExactly("nullmx.fixture.test. MX 0 .");
    }

    @Test
    void unknownNamesOfTheZoneAreNxdomain() throws IOException {
        assertThat(query("nothing.fixture.test", Type.MX).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(query("mx10.fixture.test", Type.MX).getRcode()).as("the name exists, no MX").isEqualTo(Rcode.NOERROR);
    }

    @Test
    void aFailingDomainIsNeverAnswered() {
        assertThatThrownBy(() -> query("broken.test", Type.MX)).isInstanceOf(IOException.class);
        assertThat(dns.logLines()).anyMatch(l -> l.contains("forwarded broken.test"));
    }

    private static Message query(String name, int type) throws IOException {
        SimpleResolver resolver = new SimpleResolver(dns.address());
        resolver.setPort(dns.port());
        resolver.setTimeout(Duration.ofSeconds(2));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), type, 1)));
    }

    private static List<String> answers(String name, int type) throws IOException {
        return query(name, type).getSection(Section.ANSWER).stream()
            .map(r -> r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString())
            .collect(Collectors.toList());
    }
}
