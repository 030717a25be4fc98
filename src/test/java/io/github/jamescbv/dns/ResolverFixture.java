package io.github.jamescbv.dns;

import io.github.jamescbv.testing.TestDnsServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For the resolver's tests ({@code @RegisterExtension}): a {@link TestDnsServer} started before
 * each test, and every resolver the test opens, closed after it together with the server.
 */
final class ResolverFixture implements BeforeEachCallback, AfterEachCallback {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private TestDnsServer dns;

    @Override
    public void beforeEach(ExtensionContext context) {
        dns = new TestDnsServer().start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
        dns.close();
    }

    /** The test's DNS server, started. */
    TestDnsServer dns() {
        return dns;
    }

    /** A resolver asking {@code servers} ("host:port"), or the test's server when none are given. */
    DnsjavaMxResolver resolver(Duration timeout, String... servers) {
        DnsjavaMxResolver r = new DnsjavaMxResolver(servers.length == 0 ? List.of(dns.hostPort()) : List.of(servers), timeout);
        closeAfter(r);
        return r;
    }

    /** Closes {@code resolver} after the test, with the others. */
    void closeAfter(AutoCloseable resolver) {
        toClose.add(resolver);
    }

    /** The stage's resolution, within a bound no resolution should come near. */
    static MxResolution await(CompletionStage<MxResolution> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
