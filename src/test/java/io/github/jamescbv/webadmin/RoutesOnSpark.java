package io.github.jamescbv.webadmin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import spark.Service;

/** {@link CbvRoutes} on a Spark service of their own on a loopback port (no James, no authentication), and requests to it. */
final class RoutesOnSpark implements AutoCloseable {
    private final Service spark;
    private final HttpClient http = HttpClient.newHttpClient();

    RoutesOnSpark(CbvRoutes routes) {
        spark = Service.ignite().ipAddress("127.0.0.1").port(0);
        routes.define(spark);
        spark.awaitInitialization();
    }

    /** A request to {@code pathAndQuery}, already percent-encoded. */
    HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + spark.port() + pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        spark.stop();
        spark.awaitStop();
    }
}
