package io.github.jamescbv.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The test server answers like an authoritative server; checked with dnsjava's plain resolver. */
class TestDnsServerTest {
    private TestDnsServer dns;
    private SimpleResolver client;

    @BeforeEach
    void start() {
        dns = new TestDnsServer().start();
        client = new SimpleResolver(dns.address());
        client.setTimeout(Duration.ofSeconds(3));
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    private Message ask(String name, int type) throws Exception {
        return client.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    @Test
    void answersNxdomainNodataAndRecords() throws Exception {
        dns.mx("example.com", 10, "mx.example.com").a("mx.example.com", "192.0.2.1").exists("empty.example.com");

        assertThat(ask("example.com.", Type.MX).getSection(Section.ANSWER)).hasSize(1);
        assertThat(ask("mx.example.com.", Type.A).getSection(Section.ANSWER)).hasSize(1);
        Message nodata = ask("mx.example.com.", Type.AAAA);
        assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
        assertThat(ask("empty.example.com.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(ask("com.", Type.A).getRcode()).as("empty non-terminal").isEqualTo(Rcode.NOERROR);
        assertThat(ask("nope.example.com.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ask("mx.example.com.", Type.A).getHeader().getFlag(Flags.AA)).isTrue();
    }

    @Test
    void followsCnamesAndStopsAtLoops() throws Exception {
        dns.cname("www.example.com", "web.example.com").a("web.example.com", "192.0.2.8")
            .cname("a.example.com", "b.example.com").cname("b.example.com", "a.example.com")
            .cname("dangling.example.com", "gone.example.com");

        assertThat(ask("www.example.com.", Type.A).getSection(Section.ANSWER)).extracting(Record::getType)
            .containsExactly(Type.CNAME, Type.A);
        assertThat(ask("a.example.com.", Type.A).getSection(Section.ANSWER)).hasSize(2);
        Message dangling = ask("dangling.example.com.", Type.A);
        assertThat(dangling.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(dangling.getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void servfailPerNameAndPerType() throws Exception {
        dns.a("x.example.com", "192.0.2.1").servfail("x.example.com", Type.AAAA).servfail("y.example.com");

        assertThat(ask("x.example.com.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(ask("x.example.com.", Type.AAAA).getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(ask("y.example.com.", Type.MX).getRcode()).isEqualTo(Rcode.SERVFAIL);
    }

    @Test
    void truncatedOverUdpAnsweredOverTcp() throws Exception {
        dns.a("big.example.com", "192.0.2.1").truncate("big.example.com");

        Message m = ask("big.example.com.", Type.A);

        assertThat(m.getSection(Section.ANSWER)).hasSize(1);
        assertThat(dns.tcpQueries()).isEqualTo(1);
        assertThat(dns.queries("big.example.com", "A")).isEqualTo(2);
    }

    @Test
    void failingOrSilentOverTcpOnlyWhenAsked() throws Exception {
        dns.a("closed.example.com", "192.0.2.1").a("silent.example.com", "192.0.2.2")
            .truncate("closed.example.com").failTcp("closed.example.com")
            .truncate("silent.example.com").silentTcp("silent.example.com");
        client.setTimeout(Duration.ofMillis(500));

        assertThatThrownBy(() -> ask("closed.example.com.", Type.A)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ask("silent.example.com.", Type.A)).isInstanceOf(IOException.class);
        assertThat(dns.tcpQueries()).isEqualTo(2);
        // over UDP, untruncated, both are answered
        dns.remove("closed.example.com").a("closed.example.com", "192.0.2.1").failTcp("closed.example.com");
        assertThat(ask("closed.example.com.", Type.A).getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void losesTheFirstQueriesWhenAsked() throws Exception {
        dns.a("x.example.com", "192.0.2.1").lose("x.example.com", 1);
        client.setTimeout(Duration.ofMillis(300));

        assertThatThrownBy(() -> ask("x.example.com.", Type.A)).isInstanceOf(IOException.class);
        assertThat(ask("x.example.com.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(dns.queries("x.example.com", Type.A)).isEqualTo(2);
    }

    @Test
    void countsQueriesAndForgetsThem() throws Exception {
        dns.a("x.example.com", "192.0.2.1");

        ask("x.example.com.", Type.A);
        ask("X.EXAMPLE.COM.", Type.A);
        ask("x.example.com.", Type.MX);

        assertThat(dns.queries("x.example.com.", Type.A)).isEqualTo(2);
        assertThat(dns.queries("x.example.com", Type.MX)).isEqualTo(1);
        assertThat(dns.totalQueries()).isEqualTo(3);
        dns.resetQueryCounts();
        assertThat(dns.totalQueries()).isZero();
    }

    @Test
    void zoneCanChangeWhileRunning() throws Exception {
        dns.a("x.example.com", "192.0.2.1");
        assertThat(ask("x.example.com.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);

        dns.remove("x.example.com");
        assertThat(ask("x.example.com.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);

        dns.a("x.example.com", "192.0.2.2").clear();
        assertThat(ask("x.example.com.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }
}
