package io.github.jamescbv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.DialogListener;
import io.github.jamescbv.core.DomainMap;
import io.github.jamescbv.core.EmailAddress;
import io.github.jamescbv.core.Fact;
import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.store.memory.InMemoryProtections;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import io.github.jamescbv.verify.CallbackVerifier;
import io.github.jamescbv.verify.VerifierSettings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Deduplication counted where it matters: connections at a real (scripted) mail server. */
class GuardedVerifierSocketTest {

    @Test
    void aHundredConcurrentRequestsForOneForgedSenderMakeOneConnection() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (ScriptedSmtpServer mx = ScriptedSmtpServer.start(SmtpScript.standard()
                .on("RCPT", Response.of("550 5.1.1 no such user").awaiting(answer)));
             Protections protections = InMemoryProtections.start(CacheSettings.DEFAULTS, LimitSettings.DEFAULTS)) {
            DomainMap map = DomainMap.builder().add("forged.test", "[127.0.0.1]:" + mx.port()).build();
            try (CallbackVerifier engine = CallbackVerifier.start(VerifierSettings.builder().heloName("probe.example.org")
                    .allowPrivateTargets(true).build())) {
                GuardedVerifier verifier = protections.guard(engine, Duration.ofSeconds(30));
                EmailAddress forged = EmailAddress.parse("ceo@forged.test");
                List<CompletionStage<Verdict>> all = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    all.add(verifier.verify(map.route(forged), Optional.of(InetAddress.getByName("192.0.2." + (i + 1))),
                        DialogListener.NONE));
                }
                answer.countDown();
                for (CompletionStage<Verdict> v : all) {
                    assertThat(v.toCompletableFuture().get(30, TimeUnit.SECONDS).result()).isEqualTo(Result.ERROR);
                }
                // and the 101st, later, comes from the cache
                Verdict later = verifier.verify(map.route(forged), Optional.empty(), DialogListener.NONE)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertThat(later.cached()).isTrue();
                assertThat(mx.connectionCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void aDomainFoundAcceptingAllIsNotAskedARandomAddressForItsNextAddress() throws Exception {
        try (ScriptedSmtpServer mx = ScriptedSmtpServer.start(SmtpScript.standard());
             Protections protections = InMemoryProtections.start(CacheSettings.DEFAULTS, LimitSettings.DEFAULTS)) {
            DomainMap map = DomainMap.builder().add("catchall.test", "[127.0.0.1]:" + mx.port()).build();
            try (CallbackVerifier engine = CallbackVerifier.start(VerifierSettings.builder().heloName("probe.example.org")
                    .allowPrivateTargets(true).randomCheck(true).build())) {
                GuardedVerifier verifier = protections.guard(engine, Duration.ofSeconds(30));

                Verdict first = verifier.verify(map.route(EmailAddress.parse("alice@catchall.test")), Optional.empty(),
                    DialogListener.NONE).toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertThat(first.acceptsAll()).isTrue();
                assertThat(mx.connection(0).commands()).anyMatch(c -> c.startsWith("RCPT TO:<cbv-"));

                Verdict second = verifier.verify(map.route(EmailAddress.parse("bob@catchall.test")), Optional.empty(),
                    DialogListener.NONE).toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertThat(second.result()).isEqualTo(Result.PASS);
                assertThat(second.cached()).as("bob's own RCPT TO was asked").isFalse();
                assertThat(second.acceptsAll()).isTrue();
                assertThat(second.acceptAll()).get().extracting(Fact::remembered).isEqualTo(true);
                assertThat(mx.connectionCount()).isEqualTo(2);
                assertThat(mx.connection(1).commands()).contains("RCPT TO:<bob@catchall.test>")
                    .noneMatch(c -> c.startsWith("RCPT TO:<cbv-") || c.equals("RSET"));
            }
        }
    }
}
