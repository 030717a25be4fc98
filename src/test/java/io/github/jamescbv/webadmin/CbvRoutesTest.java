package io.github.jamescbv.webadmin;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.core.Result;
import io.github.jamescbv.core.Stage;
import io.github.jamescbv.core.Verdict;
import io.github.jamescbv.james.CbvRuntime;
import io.github.jamescbv.james.OperatorTesting;
import io.github.jamescbv.testing.FakeVerifier;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The routes on a Spark service of their own (no James, no authentication): statuses, bodies and
 * what reaches the engine, for every kind of address the path may carry. The James end to end
 * test ({@code CbvWebAdminJamesTest}) checks them loaded from webadmin.properties.
 */
class CbvRoutesTest {
    final FakeVerifier engine = new FakeVerifier().answering(a -> CompletableFuture.completedFuture(
        Verdict.builder(a.localPart().startsWith("error") ? Result.ERROR : Result.PASS, Stage.RCPT)
            .code(a.localPart().startsWith("error") ? 550 : 250).domain(a.domain()).build()));
    final RecordingMetricFactory metrics = new RecordingMetricFactory();
    final CbvRuntime runtime = OperatorTesting.runtime(engine, metrics);
    final RoutesOnSpark routes = new RoutesOnSpark(new CbvRoutes(runtime, metrics));

    @AfterEach
    void stop() {
        routes.close();
        runtime.close();
    }

    HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        return routes.send(method, pathAndQuery);
    }

    @Test
    void withoutAHandlerEveryRouteAnswers409() throws Exception {
        for (String[] r : new String[][] {{"POST", "/cbv/verdicts/a@remote.example"}, {"GET", "/cbv/verdicts/a@remote.example"},
            {"DELETE", "/cbv/verdicts/a@remote.example"}, {"DELETE", "/cbv/verdicts?domain=remote.example"}, {"GET", "/cbv/stats"}}) {
            HttpResponse<String> response = send(r[0], r[1]);
            assertThat(response.statusCode()).as(r[0] + " " + r[1]).isEqualTo(409);
            assertThat(response.body()).contains("\"type\":\"WrongState\"").contains("no CallbackVerifyHandler is configured");
        }
    }

    @Test
    void postVerifiesAndGetReadsWhatItLeft() throws Exception {
        OperatorTesting.handler(runtime, metrics, "<map><entry from=\"alias.example\" to=\"remote.example\"/></map>");

        HttpResponse<String> posted = send("POST", "/cbv/verdicts/a+b@alias.example");
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.body()).startsWith("{\"address\":\"a+b@alias.example\",\"result\":\"pass\",\"stage\":\"rcpt\"")
            .doesNotContain("dialog");
        assertThat(engine.askedAsText()).containsExactly("a+b@alias.example");

        HttpResponse<String> read = send("GET", "/cbv/verdicts/a+b@alias.example");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).contains("\"cached\":true").contains("\"calledBack\":\"a+b@remote.example\"")
            .contains("\"scope\":\"address\"").contains("\"key\":\"a+b@remote.example\"").contains("\"expiresAt\":\"");
    }

    @Test
    void deleteForgetsAnAddressOrADomainAfterTheMapAndStatsCountWhatHappened() throws Exception {
        OperatorTesting.handler(runtime, metrics, "<map><entry from=\"alias.example\" to=\"remote.example\"/></map>");
        send("POST", "/cbv/verdicts/a@alias.example");
        send("POST", "/cbv/verdicts/error-b@remote.example");
        send("POST", "/cbv/verdicts/c@remote.example");

        assertThat(send("DELETE", "/cbv/verdicts/a@remote.example").statusCode()).isEqualTo(204);
        assertThat(send("GET", "/cbv/verdicts/a@alias.example").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/cbv/verdicts/c@remote.example").statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/cbv/verdicts?domain=alias.example").statusCode()).isEqualTo(204);
        HttpResponse<String> gone = send("GET", "/cbv/verdicts/c@remote.example");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).contains("\"type\":\"notFound\"");

        HttpResponse<String> stats = send("GET", "/cbv/stats");
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.body()).isEqualTo("{\"cache\":{\"entries\":0,\"hits\":0,\"misses\":0,\"joined\":0},"
            + "\"callbacks\":{\"inFlight\":0,\"queued\":0,\"waitingForDomain\":0},"
            + "\"verdicts\":{\"pass\":2,\"error\":1,\"transient\":0},"
            + "\"refused\":{\"clientRate\":0,\"domainConcurrency\":0,\"domainRate\":0,\"capacity\":0,\"other\":0},"
            + "\"connections\":{\"open\":0,\"idle\":0,\"reused\":0},"
            + "\"sharedStores\":[]}");
    }

    @Test
    void anEncodedSlashOrQuoteStaysInTheAddress() throws Exception {
        OperatorTesting.handler(runtime, metrics, "");

        assertThat(send("POST", "/cbv/verdicts/a%2Fb@remote.example").statusCode()).isEqualTo(200);
        assertThat(send("POST", "/cbv/verdicts/%22a%20b%22@remote.example").statusCode()).isEqualTo(200);

        assertThat(engine.askedAsText()).containsExactly("a/b@remote.example", "\"a b\"@remote.example");
    }

    @Test
    void hostileAddressesAre400AndReachNoEngine() throws Exception {
        OperatorTesting.handler(runtime, metrics, "<skipDomains>skip.example</skipDomains>");
        String[] hostile = {"not-an-address", "a%0D%0AMAIL%20FROM:%3C%3E@remote.example", "a%00b@remote.example",
            "%C3%A9l%C3%A8ve@remote.example", "a@%5B192.0.2.1%5D", "x".repeat(300) + "@remote.example",
            "x".repeat(5000) + "@remote.example", "a@skip.example", "%FF@remote.example", "a%C3@remote.example"};
        for (String path : hostile) {
            for (String method : new String[] {"POST", "GET", "DELETE"}) {
                HttpResponse<String> response = send(method, "/cbv/verdicts/" + path);
                if (method.equals("POST") || !path.contains("skip.example")) {
                    assertThat(response.statusCode()).as(method + " " + path.substring(0, Math.min(40, path.length())))
                        .isEqualTo(400);
                    if (!path.contains("%00")) { // Jetty refuses a NUL in the path itself, in its own words
                        assertThat(response.body()).contains("\"type\":\"InvalidArgument\"");
                    }
                    assertThat(response.body()).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0000");
                }
            }
        }
        assertThat(engine.askedAsText()).isEmpty();
    }

    @Test
    void aBadDomainToForgetIs400() throws Exception {
        OperatorTesting.handler(runtime, metrics, "");

        assertThat(send("DELETE", "/cbv/verdicts").statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/cbv/verdicts?domain=a%0Db.example").statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/cbv/verdicts?domain=" + "a".repeat(300) + ".example").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/cbv/verdicts/a@remote.example?dialog=yes").statusCode()).isEqualTo(400);
    }
}
