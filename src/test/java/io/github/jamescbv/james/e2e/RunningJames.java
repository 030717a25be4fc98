package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;

import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;

/**
 * The James of an e2e test class ({@link JamesUnderTest#perClass}) as its tests talk to it:
 * each SMTP server of smtpserver.xml by its {@code helloName}, and the mails the mailet
 * container stored, by subject. Public for the benchmarks that send through e2e nodes ({@link JamesNode}).
 */
public final class RunningJames {
    private final Supplier<GuiceJamesServer> server;

    RunningJames(JamesServerExtension extension) {
        this(extension::getGuiceJamesServer);
    }

    /** A James the test starts itself, asked for at each use: the test may replace it by a restarted one. */
    RunningJames(Supplier<GuiceJamesServer> server) {
        this.server = server;
    }

    /** Only once James has booted (by an extension: from the class's first callback on). */
    GuiceJamesServer server() {
        return server.get();
    }

    int port(String helloName) {
        return server().getProbe(SmtpPortsProbe.class).port(helloName);
    }

    /** A connection to the SMTP server {@code helloName}, past its greeting and EHLO. */
    SmtpClient connect(String helloName) throws IOException {
        return SmtpClient.connect(port(helloName)).greetAndEhlo();
    }

    /** As {@link #connect(String)}, from {@code localAddress} (127.0.0.2 may relay, 127.0.0.3 is exempt). */
    SmtpClient connect(String helloName, String localAddress) throws IOException {
        return SmtpClient.connect(port(helloName), localAddress).greetAndEhlo();
    }

    /** One mail on a connection of its own to the server {@code helloName}; fails unless the final "." gets 250. */
    public void deliver(String helloName, String sender, String recipient, String subject) throws IOException {
        try (SmtpClient c = connect(helloName)) {
            expect(250, c.sendMail(sender, recipient, subject));
        }
    }

    StoredMail awaitMail(String subject) {
        return JamesUnderTest.awaitMail(server(), subject);
    }

    /** The mails with these subjects, in their order, once all are stored. */
    public List<StoredMail> awaitMails(List<String> subjects) {
        return JamesUnderTest.awaitMails(server(), subjects);
    }

    /** How many mails the cbv-* repositories hold now, without reading one. */
    public long storedCount() throws Exception {
        return JamesUnderTest.storedCount(server());
    }

    /** The mail with this subject if it is stored already. */
    Optional<StoredMail> find(String subject) throws Exception {
        return JamesUnderTest.find(server(), subject);
    }
}
