package io.github.jamescbv.demo;

import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.testing.TestDnsServer;
import java.util.concurrent.CountDownLatch;

/**
 * The demo's little Internet, so that pass, error and transient can be seen with no
 * network: a DNS server for three sender domains and the mail servers they point at.
 * bin/james-demo starts it next to James.
 *
 * <ul>
 *   <li>{@code good.example}: MX on 127.0.0.2, knows alice and bob, rejects everyone else
 *       with {@code 550 5.1.1}: alice@good.example gives pass, nobody@good.example error. It offers
 *       STARTTLS (a self-signed certificate): its verdicts say {@code tls=TLSv1.3 ...}.</li>
 *   <li>{@code grey.example}: MX on 127.0.0.3, greylists every RCPT with {@code 450 4.2.0}: transient;
 *       no STARTTLS ({@code tls=none}).</li>
 *   <li>{@code nomail.example}: null MX (RFC 7505): error at stage dns.</li>
 * </ul>
 *
 * <p>Arguments: {@code dnsPort smtpPort} (defaults 10053 and 2525).
 */
public final class DemoRemotes {
    private DemoRemotes() {
    }

    public static void main(String[] args) throws Exception {
        int dnsPort = args.length > 0 ? Integer.parseInt(args[0]) : 10053;
        int smtpPort = args.length > 1 ? Integer.parseInt(args[1]) : 2525;
        TestDnsServer dns = new TestDnsServer().start(dnsPort);
        dns.mx("good.example", 10, "mx.good.example").a("mx.good.example", "127.0.0.2")
            .mx("grey.example", 10, "mx.grey.example").a("mx.grey.example", "127.0.0.3")
            .nullMx("nomail.example");
        ScriptedSmtpServer good = ScriptedSmtpServer.start("127.0.0.2", smtpPort, SmtpScript.standard()
            .greeting("220 mx.good.example ESMTP demo")
            .offeringStartTls()
            .rcpt(SmtpScript.knownUsers("alice@good.example", "bob@good.example")));
        ScriptedSmtpServer grey = ScriptedSmtpServer.start("127.0.0.3", smtpPort, SmtpScript.standard()
            .greeting("220 mx.grey.example ESMTP demo")
            .on("RCPT", "450 4.2.0 Greylisted, please try again later"));
        System.out.println("demo DNS on 127.0.0.1:" + dns.port() + ", demo MX hosts on 127.0.0.2:" + smtpPort
            + " (good.example) and 127.0.0.3:" + smtpPort + " (grey.example)");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            good.close();
            grey.close();
            dns.close();
        }));
        new CountDownLatch(1).await();
    }
}
