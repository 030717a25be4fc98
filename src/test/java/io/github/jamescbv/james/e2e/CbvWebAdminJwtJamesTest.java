package io.github.jamescbv.james.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jamescbv.testing.ConfDirectory;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /cbv routes behind WebAdmin's JWT authentication, in a real James 3.8.1 whose
 * webadmin.properties is the sample with {@code jwt.enabled=true} and a public key of the test's
 * own; its smtpserver.xml is the sample without our handler, so that an authenticated request
 * meets the answer for a James where no handler is configured.
 */
class CbvWebAdminJwtJamesTest {
    /** Each route, as method and path. */
    static final List<List<String>> ROUTES = List.of(
        List.of("POST", "/cbv/verdicts/alice@remote.example"),
        List.of("GET", "/cbv/verdicts/alice@remote.example"),
        List.of("DELETE", "/cbv/verdicts/alice@remote.example"),
        List.of("DELETE", "/cbv/verdicts?domain=remote.example"),
        List.of("GET", "/cbv/stats"));

    @TempDir
    static Path workingDirectory;
    static JwtKeys keys;
    static GuiceJamesServer james;
    static WebAdminClient anonymous;

    @BeforeAll
    static void startJames() throws Exception {
        keys = JwtKeys.generate();
        String smtp = ConfSamplesTest.smtpServers("[127.0.0.1]:25")
            .replaceAll("(?s)<handler class=\"io\\.github\\.jamescbv\\.james\\.CallbackVerifyHandler\">.*?</handler>", "");
        ConfDirectory.write(workingDirectory, smtp, ConfDirectory.sample("mailetcontainer.xml"));
        String webadmin = CbvWebAdminJamesTest.webadmin();
        webadmin = ConfDirectory.replace(webadmin, "#jwt.enabled=true", "jwt.enabled=true");
        webadmin = ConfDirectory.replace(webadmin, "#jwt.publickeypem.url=file://conf/jwt_publickey",
            "jwt.publickeypem.url=file://conf/jwt_publickey");
        Files.writeString(workingDirectory.resolve("conf/webadmin.properties"), webadmin, StandardCharsets.UTF_8);
        Files.writeString(workingDirectory.resolve("conf/jwt_publickey"), keys.publicKeyPem(), StandardCharsets.US_ASCII);

        james = JamesUnderTest.server(workingDirectory);
        james.start();
        anonymous = WebAdminClient.of(james);
    }

    @AfterAll
    static void stop() {
        if (james != null) {
            james.stop();
        }
    }

    @Test
    void withoutATokenEveryRouteIsRefusedAsJamessOwnAre() throws Exception {
        assertThat(anonymous.send("GET", "/domains").statusCode()).isEqualTo(401);
        for (List<String> route : ROUTES) {
            assertThat(anonymous.send(route.get(0), route.get(1)).statusCode()).as(route.toString()).isEqualTo(401);
        }
    }

    @Test
    void aTokenOfAnotherKeyOrWithoutTheAdminClaimIsRefused() throws Exception {
        WebAdminClient forged = anonymous.withToken(JwtKeys.generate().token("admin@james.test", true));
        WebAdminClient user = anonymous.withToken(keys.token("user@james.test", false));
        for (List<String> route : ROUTES) {
            assertThat(forged.send(route.get(0), route.get(1)).statusCode()).as("forged " + route).isEqualTo(401);
            assertThat(user.send(route.get(0), route.get(1)).statusCode()).as("not admin " + route).isEqualTo(401);
        }
    }

    @Test
    void anAdministratorWithoutAConfiguredHandlerGetsAClear409() throws Exception {
        WebAdminClient admin = anonymous.withToken(keys.token("admin@james.test", true));
        assertThat(admin.send("GET", "/domains").statusCode()).isEqualTo(200);
        for (List<String> route : ROUTES) {
            HttpResponse<String> response = admin.send(route.get(0), route.get(1));
            assertThat(response.statusCode()).as(route.toString()).isEqualTo(409);
            assertThat(WebAdminClient.parse(response.body()).get("type").asText()).isEqualTo("WrongState");
            assertThat(WebAdminClient.parse(response.body()).get("message").asText())
                .isEqualTo("no CallbackVerifyHandler is configured");
        }
    }

    @Test
    void theMetricsRouteStaysPublicAsJamesMadeIt() throws Exception {
        HttpResponse<String> metrics = anonymous.send("GET", "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("smtp_cbv_");
    }
}
