package io.github.jamescbv.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.jamescbv.policy.LimitSettings;
import io.github.jamescbv.testing.ManualClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ClientRateLimiterTest {
    private final ManualClock clock = new ManualClock();
    private final List<String> logged = new ArrayList<>();

    /** 1.x.y.z, a different address for each n below 2^24. */
    private static Optional<InetAddress> ipv4(int n) throws Exception {
        return Optional.of(InetAddress.getByAddress(new byte[] {1, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n}));
    }

    @Test
    void aScanFromAMillionAddressesKeepsAtMostMaxClients() throws Exception {
        ClientRateLimiter limiter = new ClientRateLimiter(20, clock, 1_000, logged::add);
        for (int i = 0; i < 1_000_000; i++) {
            assertThat(limiter.charge(ipv4(i))).isEmpty();
        }
        assertThat(limiter.size()).isEqualTo(1_000);
    }

    @Test
    void theClientSeenLongestAgoIsTheOneForgotten() throws Exception {
        ClientRateLimiter limiter = new ClientRateLimiter(1, clock, 2, logged::add);
        Optional<InetAddress> a = ipv4(1);
        Optional<InetAddress> b = ipv4(2);
        assertThat(limiter.charge(a)).isEmpty();
        assertThat(limiter.charge(b)).isEmpty();
        assertThat(limiter.charge(a)).isPresent(); // a is now the most recently seen
        assertThat(limiter.charge(ipv4(3))).isEmpty(); // b goes
        assertThat(limiter.charge(a)).as("a is still remembered").isPresent();
        assertThat(limiter.charge(b)).as("b was forgotten").isEmpty();
    }

    @Test
    void aRateThatDoesNotDivideAMinuteStillAllowsExactlyItsBurst() throws Exception {
        ClientRateLimiter limiter = new ClientRateLimiter(7, clock, 10, logged::add);
        Optional<InetAddress> a = ipv4(1);
        for (int i = 0; i < 7; i++) {
            assertThat(limiter.charge(a)).isEmpty();
        }
        assertThat(limiter.charge(a)).contains("client 1.0.0.1 exceeded 7 new callbacks per minute");
        clock.advance(Duration.ofSeconds(8)); // one every 60/7 = 8.57 s
        assertThat(limiter.charge(a)).isPresent();
        clock.advance(Duration.ofMillis(600));
        assertThat(limiter.charge(a)).isEmpty();
        assertThat(limiter.charge(a)).isPresent();
    }

    @Test
    void aSteadyClientAtTheRateIsNeverRefused() throws Exception {
        ClientRateLimiter limiter = new ClientRateLimiter(20, clock, 10, logged::add);
        Optional<InetAddress> a = ipv4(1);
        for (int i = 0; i < 200; i++) {
            assertThat(limiter.charge(a)).isEmpty();
            clock.advance(Duration.ofSeconds(3));
        }
        assertThat(logged).isEmpty();
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4Client() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 7};
        InetAddress key = ClientRateLimiter.clientKey(java.net.Inet6Address.getByAddress(null, mapped, -1));
        assertThat(key).isEqualTo(InetAddress.getByName("192.0.2.7"));
    }

    @Test
    void theDefaultLogIsOneInfoLineOfTheLimitsLogger() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(InMemoryBudgets.class);
        Level before = logger.getLevel();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        LimitSettings s = new LimitSettings(1, 1, 1, 1, 2);
        try (InMemoryBudgets limits = new InMemoryBudgets(s, clock, clock)) {
            Optional<InetAddress> client = Optional.of(InetAddress.getByName("192.0.2.7"));
            for (int i = 0; i < 10; i++) {
                limits.chargeClient(client);
            }
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
        assertThat(appender.list).hasSize(1);
        assertThat(appender.list.get(0).getLevel()).isEqualTo(Level.INFO);
        assertThat(appender.list.get(0).getFormattedMessage())
            .isEqualTo("callback refused: client 192.0.2.7 exceeded 2 new callbacks per minute");
    }
}
