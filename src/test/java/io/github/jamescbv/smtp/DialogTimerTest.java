package io.github.jamescbv.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.Stage;
import io.github.jamescbv.smtp.ProbeOutcome.Failure;
import io.github.jamescbv.testing.TestProbeRequest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The time limits on an embedded channel: its event loop's time is frozen and advanced by the
 * test, and the request's deadline is measured with a clock the test sets, so nothing here
 * depends on how fast the machine is.
 */
class DialogTimerTest {
    private static final InetSocketAddress TARGET = new InetSocketAddress("192.0.2.1", 25);

    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = channel.pipeline().firstContext();
    private final List<String> expired = new ArrayList<>();
    private final List<RuntimeException> taskFailures = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();

    @BeforeEach
    void freeze() {
        channel.freezeTime();
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /** A timer whose request has {@code left} until its deadline, as the timer's clock reads now. */
    private DialogTimer timer(Duration connect, Duration perReply, Duration left) {
        ProbeLimits limits = TestProbeRequest.to(TARGET).connectTimeout(connect).commandTimeout(perReply)
            .total(Duration.ofMinutes(10)).build().limits();
        now.set(limits.deadlineNanos() - left.toNanos());
        return new DialogTimer(limits, now::get, (c, e) -> taskFailures.add(e));
    }

    private void advance(Duration d) {
        channel.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    /** Nothing expires until {@code after} has passed, then exactly the wait that gives {@code why}. */
    private void assertExpiresAfter(Duration after, String why) {
        advance(after.minusMillis(1));
        assertThat(expired).as("expired before %s", after).isEmpty();
        advance(Duration.ofMillis(1));
        assertThat(expired).containsExactly(why);
    }

    @Test
    void aReplyWaitRunsOutAfterTheCommandTimeout() {
        DialogTimer timer = timer(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2));

        assertThat(timer.awaitReply(ctx, expired::add)).isTrue();

        assertExpiresAfter(Duration.ofSeconds(30), "no reply within 30s");
    }

    @Test
    void aReplyWaitEndsAtTheDeadlineWhenThatComesFirst() {
        DialogTimer timer = timer(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10));

        assertThat(timer.awaitReply(ctx, expired::add)).isTrue();

        assertExpiresAfter(Duration.ofSeconds(10), DialogTimer.TOTAL_TIMEOUT);
    }

    @Test
    void aReplyWaitAfterTheDeadlineExpiresAtOnceAndSchedulesNothing() {
        DialogTimer timer = timer(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ZERO);

        assertThat(timer.awaitReply(ctx, expired::add)).isFalse();
        assertThat(expired).containsExactly(DialogTimer.TOTAL_TIMEOUT);

        advance(Duration.ofMinutes(5));
        assertThat(expired).hasSize(1);
    }

    @Test
    void aNewWaitReplacesTheOldAndCancelEndsIt() {
        DialogTimer timer = timer(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2));

        timer.awaitReply(ctx, why -> expired.add("first " + why));
        advance(Duration.ofSeconds(20));
        timer.awaitReply(ctx, why -> expired.add("second " + why));
        advance(Duration.ofSeconds(20));
        assertThat(expired).as("the first wait was replaced").isEmpty();
        advance(Duration.ofSeconds(10));
        assertThat(expired).containsExactly("second no reply within 30s");

        timer.awaitReply(ctx, why -> expired.add("third " + why));
        timer.cancel();
        advance(Duration.ofMinutes(5));
        assertThat(expired).hasSize(1);
    }

    @Test
    void theWaitForTheReplyToQuitIsAtMostFiveSeconds() {
        DialogTimer timer = timer(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2));

        timer.awaitQuitReply(ctx, "QUIT", expired::add);

        assertExpiresAfter(Duration.ofSeconds(5), "no reply to QUIT within 5s");
    }

    @Test
    void theWaitForTheReplyToQuitIsShorterWithAShorterCommandTimeout() {
        DialogTimer timer = timer(Duration.ofSeconds(5), Duration.ofMillis(1500), Duration.ofMinutes(2));

        timer.awaitQuitReply(ctx, "QUIT", expired::add);

        assertExpiresAfter(Duration.ofMillis(1500), "no reply to QUIT within 1500ms");
    }

    @Test
    void anExpiryThatThrowsGoesToTheFailureHandlerNotNetty() {
        DialogTimer timer = timer(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMinutes(2));
        IllegalStateException bug = new IllegalStateException("bug");

        timer.awaitReply(ctx, why -> {
            throw bug;
        });
        advance(Duration.ofSeconds(1));

        assertThat(taskFailures).containsExactly(bug);
    }

    @Test
    void theConnectTimeoutIsTheConfiguredOneWhenTheDeadlineIsFarther() {
        DialogTimer timer = timer(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(2));

        assertThat(timer.connectTimeoutMillis()).isEqualTo(5000);
        ProbeOutcome timedOut = timer.connectTimedOut();
        assertThat(timedOut.stage()).isEqualTo(Stage.CONNECT);
        assertThat(timedOut.failure()).contains(Failure.CONNECT);
        assertThat(timedOut.detail()).isEqualTo("connect timed out after 5s");
    }

    @Test
    void theConnectTimeoutIsCutToTheDeadlineAndThenCountsAsTheTotalTimeout() {
        DialogTimer timer = timer(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMillis(1200));

        assertThat(timer.connectTimeoutMillis()).isEqualTo(1200);
        ProbeOutcome timedOut = timer.connectTimedOut();
        assertThat(timedOut.failure()).contains(Failure.TIMEOUT);
        assertThat(timedOut.detail()).isEqualTo(DialogTimer.TOTAL_TIMEOUT);
    }

    @Test
    void noConnectTimeoutAfterTheDeadlineAndAtLeastOneMillisecondBefore() {
        DialogTimer passed = timer(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ZERO);
        assertThat(passed.connectTimeoutMillis()).isZero();

        DialogTimer almost = timer(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofNanos(1));
        assertThat(almost.connectTimeoutMillis()).isEqualTo(1);
    }

    @Test
    void anAbsurdlyLongConnectTimeoutIsCappedNotOverflowed() {
        DialogTimer timer = timer(Duration.ofDays(365L * 1_000_000), Duration.ofSeconds(30), Duration.ofDays(365L * 200));

        assertThat(timer.connectTimeoutMillis()).isEqualTo(Integer.MAX_VALUE);
    }
}
