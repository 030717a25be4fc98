package io.github.jamescbv.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The soak run of bench/soak.sh, shortened for CI: 2,000 messages (after 500 of warm-up) from
 * the real smtp-source at 50 connections through a real James with our handler, calling back
 * real Postfix remotes (normal, slow, refusing the null sender, deferring, refusing connections,
 * and domains with failing or no DNS). The same three checks as the full run.
 */
@RequiresPeers({Need.ROOT, Need.POSTFIX, Need.DNSMASQ, Need.SMTP_SOURCE})
class SoakIT {
    @Test
    void nothingIsLostTheHeapHoldsAndJamesLogsNoError() throws Exception {
        SoakReport report = SoakRun.run(new SoakRun.Settings()
            .messages(2_000)
            .warmUpMessages(500)
            .messagesPerSender(10)
            .concurrency(10, 5)
            .workDirectory(Path.of("target", "soak-it")), System.out);
        report.print(System.out);

        assertThat(report.everythingAccepted()).as(report.failures()).isTrue();
        assertThat(report.nothingLost()).as(report.failures()).isTrue();
        assertThat(report.heapWithinTolerance()).as(report.failures()).isTrue();
        assertThat(report.noErrors()).as(report.failures()).isTrue();
        // The run did what it is for: real callbacks, and every kind of verdict among them.
        assertThat(report.callbackCount()).isGreaterThan(0);
        assertThat(report.resultsByKind()).containsKeys("pass", "error", "transient");
    }
}
