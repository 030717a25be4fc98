package io.github.jamescbv.webadmin;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.james.CbvRuntime;
import io.github.jamescbv.james.OperatorTesting;
import io.github.jamescbv.testing.FakeVerifier;
import io.github.jamescbv.testing.peers.Need;
import io.github.jamescbv.testing.peers.RedisPeer;
import io.github.jamescbv.testing.peers.RequiresPeers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With {@code <redis>}, the routes of one node act on the cluster's memory: what one node's
 * WebAdmin verifies, the other's reads, and what it forgets is gone for the other too.
 */
@RequiresPeers(Need.REDIS)
class CbvRoutesRedisTest {
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closed(T c) {
        closing.add(c);
        return c;
    }

    /** A node: a runtime on its own engine whose handler shares {@code redis}, and its routes. */
    private RoutesOnSpark node(RedisPeer redis, FakeVerifier engine) throws Exception {
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        CbvRuntime runtime = closed(OperatorTesting.runtime(engine, metrics));
        OperatorTesting.handler(runtime, metrics, "<redis><url>" + redis.uri() + "</url></redis>");
        return closed(new RoutesOnSpark(new CbvRoutes(runtime, metrics)));
    }

    @Test
    void oneNodesWebAdminVerifiesAndForgetsForTheWholeCluster() throws Exception {
        RedisPeer redis = closed(RedisPeer.builder("redis-webadmin").start());
        FakeVerifier engineA = new FakeVerifier();
        FakeVerifier engineB = new FakeVerifier();
        RoutesOnSpark a = node(redis, engineA);
        RoutesOnSpark b = node(redis, engineB);

        assertThat(a.send("POST", "/cbv/verdicts/alice@remote.example").statusCode()).isEqualTo(200);
        HttpResponse<String> onB = b.send("GET", "/cbv/verdicts/alice@remote.example");
        assertThat(onB.statusCode()).isEqualTo(200);
        assertThat(onB.body()).contains("\"result\":\"pass\"").contains("\"cached\":true");

        assertThat(a.send("DELETE", "/cbv/verdicts/alice@remote.example").statusCode()).isEqualTo(204);
        assertThat(b.send("GET", "/cbv/verdicts/alice@remote.example").statusCode()).isEqualTo(404);

        a.send("POST", "/cbv/verdicts/bob@remote.example");
        assertThat(b.send("DELETE", "/cbv/verdicts?domain=remote.example").statusCode()).isEqualTo(204);
        assertThat(a.send("GET", "/cbv/verdicts/bob@remote.example").statusCode()).isEqualTo(404);

        assertThat(engineB.asked()).isEmpty();
        assertThat(a.send("GET", "/cbv/stats").body())
            .contains("\"sharedStores\":[{\"holds\":\"verdicts\",\"shared\":true,")
            .contains("{\"holds\":\"limits\",\"shared\":true,");
    }
}
