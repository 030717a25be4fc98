package io.github.jamescbv.bench;

import io.github.jamescbv.smtp.ReuseSettings;
import java.net.InetSocketAddress;

/**
 * The James of the race: a real James 3.8.1 in this JVM with {@code race/smtpserver.xml}, our
 * handler in defer mode asking dnsmasq for the MX and allowed to reach the remote's address
 * only; the local user exists; every mail is dropped once accepted (the benchmark's mailet container).
 */
final class RaceJames implements AutoCloseable {
    static final String HELLO_NAME = "james.race.test";

    private final BenchJames james;
    private final InetSocketAddress smtp;

    private RaceJames(BenchJames james, InetSocketAddress smtp) {
        this.james = james;
        this.smtp = smtp;
    }

    /** @param reuse whether the handler keeps connections for later callbacks (its default) or not ({@code maxProbes} 1) */
    static RaceJames start(String listen, String dnsServer, String remote, String recipient, boolean reuse)
            throws Exception {
        System.setProperty("cbv.race.listen", listen);
        System.setProperty("cbv.race.dns", dnsServer);
        System.setProperty("cbv.race.remote", remote);
        // Two of them may run in this JVM (--reuse-off): each SMTP server's MBean under a name of its own.
        System.setProperty("cbv.race.jmxName", reuse ? "race-james" : "race-james-no-reuse");
        System.setProperty("cbv.race.reuseMaxProbes", String.valueOf(reuse ? ReuseSettings.DEFAULT_MAX_PROBES : 1));
        BenchJames james = BenchJames.start("race/smtpserver.xml");
        try {
            james.addDomainAndUser(recipient.substring(recipient.indexOf('@') + 1), recipient, "secret");
            return new RaceJames(james, new InetSocketAddress(listen, james.smtpPort(HELLO_NAME)));
        } catch (Exception | Error e) {
            james.close();
            throw e;
        }
    }

    InetSocketAddress smtpAddress() {
        return smtp;
    }

    @Override
    public void close() {
        james.close();
    }
}
