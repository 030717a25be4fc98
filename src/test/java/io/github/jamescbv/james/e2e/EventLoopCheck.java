package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The check that a reply James holds for a verdict holds no thread: on a server with one event
 * loop and a 30 s wait, a thread blocked on the held client's verdict would stall every other
 * connection of that server for as long.
 */
final class EventLoopCheck {
    /** Far below the servers' 30 s wait, far above a transaction on a busy build machine. */
    private static final long ANOTHER_TRANSACTION_MS = 10_000;

    private EventLoopCheck() {
    }

    /**
     * While {@code held} waits for a reply from the server {@code helloName}: a whole other
     * transaction on that server (a mail from {@code sender}, whose callback passes, and QUIT) is
     * served in time and its mail stored as a pass, and {@code held} still waits.
     */
    static void assertAnotherTransactionIsServed(RunningJames james, String helloName, SmtpClient held,
        String sender, String recipient, String subject) throws IOException {
        long start = System.nanoTime();
        try (SmtpClient other = james.connect(helloName)) {
            expect(250, other.sendMail(sender, recipient, subject));
            expect(221, other.command("QUIT"));
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(tookMs).as("second transaction while the first client is held").isLessThan(ANOTHER_TRANSACTION_MS);
        assertThat(held.readWithin(Duration.ofMillis(100))).as("first client still held").isEmpty();
        assertThat(james.awaitMail(subject).repository).isEqualTo("cbv-pass");
    }
}
