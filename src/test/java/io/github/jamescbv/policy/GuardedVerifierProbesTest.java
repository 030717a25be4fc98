package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.dns.MxResolution;
import io.github.jamescbv.dns.MxResolver;
import io.github.jamescbv.smtp.ProbeClient;
import io.github.jamescbv.smtp.ProbeOutcome;
import io.github.jamescbv.smtp.ProbeRequest;
import io.github.jamescbv.store.memory.InMemoryBudgets;
import io.github.jamescbv.store.memory.InMemoryVerdictMemory;
import io.github.jamescbv.testing.ManualClock;
import io.github.jamescbv.verify.CallbackVerifier;
import io.github.jamescbv.verify.TargetAddressGuard;
import io.github.jamescbv.verify.VerifierSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a callback costs the domain's rate: every RCPT TO the real engine may send for it, its
 * domain checks included, charged as it starts. The engine's DNS never answers: the charge is
 * made before anything is asked of the remote.
 */
class GuardedVerifierProbesTest {
    private static final LimitSettings LIMITS = new LimitSettings(64, 100, 100, 5, 1000);

    private final ManualClock clock = new ManualClock();
    private final List<Integer> charged = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private RemoteBudgets budgets;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private GuardedVerifier guard(VerifierSettings.Builder checks) {
        CallbackVerifier engine = new CallbackVerifier(checks.heloName("probe.example.org").build(), new SilentDns(),
            new NoProbes(), new TargetAddressGuard(false, List.of()), clock, clock, List.of());
        InMemoryBudgets inner = new InMemoryBudgets(LIMITS, clock, clock);
        budgets = new Recording(inner);
        ProcessCapacity capacity = new ProcessCapacity(LIMITS, clock, clock);
        toClose.add(capacity);
        toClose.add(inner);
        return new GuardedVerifier(engine, Duration.ofSeconds(30), new InMemoryVerdictMemory(CacheSettings.DEFAULTS, clock),
            budgets, capacity, clock);
    }

    private CompletableFuture<?> verify(GuardedVerifier g, String address) throws Exception {
        return g.verify(DomainMap.EMPTY.route(EmailAddress.parse(address)), Optional.empty(), DialogListener.NONE)
            .toCompletableFuture();
    }

    @Test
    void withBothChecksACallbackIsChargedThreeProbes() throws Exception {
        GuardedVerifier g = guard(VerifierSettings.builder().randomCheck(true).postmasterCheck(true));
        verify(g, "user@example.com");
        assertThat(charged).containsExactly(3);
        CompletableFuture<?> second = verify(g, "other@example.com");
        assertThat(charged).containsExactly(3, 3);
        assertThat(budgets.waiting()).as("3 + 3 probes exceed the rate of 5: the second callback waits").isEqualTo(1);
        assertThat(second).isNotDone();
    }

    @Test
    void thePostmasterIsNotAskedTwice() throws Exception {
        verify(guard(VerifierSettings.builder().randomCheck(true).postmasterCheck(true)), "Postmaster@example.com");
        assertThat(charged).containsExactly(2);
    }

    @Test
    void withoutChecksACallbackIsOneProbe() throws Exception {
        verify(guard(VerifierSettings.builder()), "user@example.com");
        assertThat(charged).containsExactly(1);
    }

    /** Counts what each acquire asks. */
    private final class Recording extends ForwardingBudgets {
        Recording(RemoteBudgets inner) {
            super(inner);
        }

        @Override
        public CompletionStage<DomainLease> acquire(String domain, int probes, long deadlineNanos, Duration leaseTime) {
            charged.add(probes);
            return super.acquire(domain, probes, deadlineNanos, leaseTime);
        }
    }

    /** A DNS that never answers: the callback stays admitted, its probes charged. */
    private static final class SilentDns implements MxResolver {
        @Override
        public CompletionStage<MxResolution> resolveMx(String domain) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletionStage<MxResolution> resolveHost(String host) {
            return new CompletableFuture<>();
        }
    }

    private static final class NoProbes implements ProbeClient {
        @Override
        public CompletionStage<ProbeOutcome> probe(ProbeRequest request) {
            throw new AssertionError("no MX was found, nothing may be probed");
        }

        @Override
        public void close() {
        }
    }
}
