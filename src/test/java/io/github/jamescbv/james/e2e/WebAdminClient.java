package io.github.jamescbv.james.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.james.GuiceJamesServer;
import org.apache.james.utils.WebAdminGuiceProbe;

/**
 * Requests to a James's WebAdmin (port 0 in webadmin.properties: the bound port comes from
 * James's WebAdminGuiceProbe), with a bearer token or without; and requests written byte for byte
 * on a socket, for the paths an HTTP client refuses to send (a malformed escape).
 */
final class WebAdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final int port;
    private final Optional<String> bearer;
    private final HttpClient http = HttpClient.newHttpClient();

    private WebAdminClient(int port, Optional<String> bearer) {
        this.port = port;
        this.bearer = bearer;
    }

    static WebAdminClient of(GuiceJamesServer james) {
        return new WebAdminClient(james.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue(), Optional.empty());
    }

    /** The same WebAdmin, each request carrying {@code Authorization: Bearer token}. */
    WebAdminClient withToken(String token) {
        return new WebAdminClient(port, Optional.of(token));
    }

    /** A request to {@code pathAndQuery}, already percent-encoded. */
    HttpResponse<String> send(String method, String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT);
        bearer.ifPresent(token -> request.header("Authorization", "Bearer " + token));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code send}'s body as JSON, failing unless the status is {@code expected}. */
    JsonNode json(int expected, String method, String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = send(method, pathAndQuery);
        if (response.statusCode() != expected) {
            throw new AssertionError(method + " " + pathAndQuery + ": expected " + expected + ", got "
                + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** The status of a request whose request line is {@code method + " " + rawPath}, sent as these bytes. */
    int raw(String method, byte[] rawPath) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write((method + " ").getBytes(StandardCharsets.US_ASCII));
            out.write(rawPath);
            out.write((" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII); // "HTTP/1.1 400"
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    static JsonNode parse(String body) throws IOException {
        return JSON.readTree(body);
    }
}
