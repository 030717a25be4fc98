package io.github.jamescbv.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The race's client and retry policy against a scripted server that answers at RCPT TO by the
 * session's sender, as Postfix and James do: 250 for senders that exist, 550 for the others,
 * 450 for a while for the "slow" ones.
 */
class RacePassTest {
    private static final String RECIPIENT = "rcpt@inbox.test";
    /** The scripted server runs each connection on its own thread: the sender of the session is per thread. */
    private static final ThreadLocal<String> SENDER = new ThreadLocal<>();

    private final Map<String, Integer> deferralsLeft = new ConcurrentHashMap<>();
    /** MAIL FROMs answered 421 and a hang-up, the first ones. */
    private final AtomicInteger hangUpsLeft = new AtomicInteger();
    private ScriptedSmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everySenderEndsWithItsFinalAnswerAfterItsDeferrals() throws Exception {
        List<RaceSender> senders = RaceSender.batch("t", 6, "race.test");
        deferralsLeft.put("t-0@race.test", 2);
        deferralsLeft.put("t-3@race.test", 1);
        start();

        RacePass.Result result = new RacePass(client(), 3, Duration.ofMillis(10), 10).run(senders);

        assertThat(result.answered()).isEqualTo(6);
        assertThat(result.wrongAnswers()).isEmpty();
        assertThat(result.outcomes.get("t-0@race.test").answer()).isEqualTo("accept");
        assertThat(result.outcomes.get("t-1@race.test").answer()).isEqualTo("reject");
        assertThat(result.outcomes.get("t-0@race.test").tries).isEqualTo(3);
        assertThat(result.outcomes.get("t-3@race.test").deferrals).isEqualTo(1);
        assertThat(result.tries()).isEqualTo(6 + 3);
        assertThat(result.deferrals()).isEqualTo(3);
        assertThat(result.failures()).isZero();
        assertThat(server.connectionCount()).as("one connection per try").isEqualTo(9);
        assertThat(server.connections()).allMatch(ScriptedSmtpServer.Connection::quitReceived);
        assertThat(result.replyKinds()).containsEntry("250 2.1.5 Ok", 3L).containsEntry("550 5.1.7 <..> rejected", 3L);
    }

    @Test
    void aSenderDeferredBeyondTheTriesIsLeftWithoutAnAnswerAndCountedWrong() throws Exception {
        List<RaceSender> senders = RaceSender.batch("t", 2, "race.test");
        deferralsLeft.put("t-0@race.test", 100);
        start();

        RacePass.Result result = new RacePass(client(), 2, Duration.ofMillis(5), 4).run(senders);

        assertThat(result.answered()).isEqualTo(1);
        assertThat(result.outcomes.get("t-0@race.test").answer()).isEqualTo("none");
        assertThat(result.outcomes.get("t-0@race.test").tries).isEqualTo(4);
        assertThat(result.wrongAnswers()).singleElement().asString()
            .startsWith("t-0@race.test: none, expected accept (450 4.1.7");
        assertThat(result.secondsToAllAnswered()).as("the whole pass: not every sender was answered")
            .isEqualTo(result.elapsedNanos / 1e9);
    }

    @Test
    void aTryTheServerBreaksOffIsTriedAgain() throws Exception {
        List<RaceSender> senders = RaceSender.batch("t", 1, "race.test");
        hangUpsLeft.set(1);
        start();

        RacePass.Result result = new RacePass(client(), 1, Duration.ofMillis(5), 5).run(senders);

        assertThat(result.outcomes.get("t-0@race.test").failures).isEqualTo(1);
        assertThat(result.outcomes.get("t-0@race.test").tries).isEqualTo(2);
        assertThat(result.outcomes.get("t-0@race.test").answer()).isEqualTo("accept");
        assertThat(result.wrongAnswers()).isEmpty();
    }

    private void start() {
        server = ScriptedSmtpServer.start(script());
    }

    private SmtpScript script() {
        return SmtpScript.standard()
            .on("MAIL", line -> {
                SENDER.set(SmtpScript.pathOf(line));
                return hangUpsLeft.getAndDecrement() > 0
                    ? Response.of("421 4.3.2 shutting down").thenClose() : Response.of("250 2.1.0 Ok");
            })
            .on("RCPT", line -> Response.of(answer(SENDER.get())));
    }

    /** Even-numbered senders exist (as {@link RaceSender#batch} says), after their deferrals if any. */
    private String answer(String sender) {
        Integer left = deferralsLeft.computeIfPresent(sender, (s, n) -> n - 1);
        if (left != null && left >= 0) {
            return "450 4.1.7 <" + sender + "> verification in progress";
        }
        int index = Integer.parseInt(sender.substring(sender.indexOf('-') + 1, sender.indexOf('@')));
        return index % 2 == 0 ? "250 2.1.5 Ok" : "550 5.1.7 <" + sender + "> rejected";
    }

    private RaceClient client() {
        return new RaceClient(server.address(), RECIPIENT, false);
    }
}
