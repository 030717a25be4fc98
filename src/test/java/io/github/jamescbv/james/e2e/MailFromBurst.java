package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Messages from one sender sent all at once, each on a connection of its own, every transaction
 * stopped after its MAIL FROM until the test lets them go on: so that all of them have asked for
 * the sender's verdict while its one callback is under way (phase mailfrom), and each reaches its
 * final "." only once the test knows the verdict is in (else maxWait would decide the attribute).
 */
final class MailFromBurst implements AutoCloseable {
    private final ExecutorService clients;
    private final CountDownLatch pastMailFrom;
    private final CountDownLatch goOn = new CountDownLatch(1);
    private final List<Future<String>> subjects = new ArrayList<>();
    private final Duration limit;

    private MailFromBurst(int messages, Duration limit) {
        this.clients = Executors.newFixedThreadPool(messages);
        this.pastMailFrom = new CountDownLatch(messages);
        this.limit = limit;
    }

    /**
     * One message from {@code sender} to {@code recipient} per connection, each opened (past its
     * greeting and EHLO) by its {@code connections} entry; returns once every MAIL FROM got 250.
     *
     * @param limit bounds each wait of the burst
     */
    static MailFromBurst start(String sender, String recipient, List<Callable<SmtpClient>> connections, UniqueNames names,
                               Duration limit) throws InterruptedException {
        MailFromBurst burst = new MailFromBurst(connections.size(), limit);
        for (Callable<SmtpClient> connection : connections) {
            String subject = names.unique("burst");
            burst.subjects.add(burst.clients.submit(() -> {
                try (SmtpClient c = connection.call()) {
                    expect(250, c.command("MAIL FROM:<" + sender + ">"));
                    burst.pastMailFrom.countDown();
                    burst.goOn.await(limit.toSeconds(), TimeUnit.SECONDS);
                    expect(250, c.command("RCPT TO:<" + recipient + ">"));
                    expect(354, c.command("DATA"));
                    c.write(SmtpClient.message(sender, List.of(recipient), subject));
                    expect(250, c.read());
                }
                return subject;
            }));
        }
        assertThat(burst.pastMailFrom.await(limit.toSeconds(), TimeUnit.SECONDS)).as("every MAIL FROM accepted").isTrue();
        return burst;
    }

    /** Lets every transaction go on; the subjects of the messages, in the order of their connections, once each was accepted. */
    List<String> finish() throws Exception {
        goOn.countDown();
        List<String> sent = new ArrayList<>();
        for (Future<String> subject : subjects) {
            sent.add(subject.get(limit.toSeconds(), TimeUnit.SECONDS));
        }
        return sent;
    }

    @Override
    public void close() {
        goOn.countDown();
        clients.shutdownNow();
    }
}
