package io.github.jamescbv.james.e2e;

import static io.github.jamescbv.james.e2e.SmtpClient.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.jamescbv.james.e2e.JamesUnderTest.StoredMail;
import io.github.jamescbv.james.CallbackVerifyHandler;
import io.github.jamescbv.testing.ConfDirectory;
import io.github.jamescbv.testing.Response;
import io.github.jamescbv.testing.ScriptedSmtpServer;
import io.github.jamescbv.testing.SmtpScript;
import java.lang.management.ManagementFactory;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.james.GuiceJamesServer;
import org.apache.james.modules.protocols.SmtpGuiceProbe;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The /cbv WebAdmin routes in a real James 3.8.1 booted from conf-samples/ (smtpserver.xml,
 * mailetcontainer.xml and webadmin.properties, which loads the routes and James's metrics route
 * through extensions.routes), with only ports and the remotes changed: the handler calls
 * remote.example back at a scripted MX (RCPT TO: 550 for {@code error*}, else 250) and
 * refusing.example at one that refuses our MAIL FROM (a verdict about the whole domain), and
 * slow.example at one that holds its answer to RCPT TO for {@code held*} until the test releases it;
 * skip.example is in skipDomains. One James for the class.
 */
class CbvWebAdminJamesTest {
    static final String BOB = "bob@local.test";
    static final UniqueNames NAMES = new UniqueNames();
    static final Duration GENEROUS = Duration.ofSeconds(30);
    /** How long the test keeps a callback waiting for its domain's slot. */
    static final Duration QUEUED = Duration.ofSeconds(1);

    @TempDir
    static Path workingDirectory;
    static ScriptedSmtpServer mx;
    static ScriptedSmtpServer refusing;
    static ScriptedSmtpServer slow;
    static final HeldAddresses HELD = new HeldAddresses();
    static GuiceJamesServer james;
    static WebAdminClient admin;

    @BeforeAll
    static void startJames() throws Exception {
        mx = ScriptedSmtpServer.start(SmtpScript.standard().rcpt(address ->
            address.startsWith("error") ? "550 5.1.1 User unknown" : "250 2.1.5 Ok"));
        refusing = ScriptedSmtpServer.start(SmtpScript.standard().on("MAIL", "550 5.7.1 Client host blocked"));
        slow = ScriptedSmtpServer.start(SmtpScript.standard().on("RCPT", line -> {
            String address = SmtpScript.pathOf(line);
            Response ok = Response.of("250 2.1.5 Ok");
            return address.startsWith("held") ? ok.awaiting(HELD.latch(address)) : ok;
        }));
        String smtp = ConfSamplesTest.smtpServers("[127.0.0.1]:" + mx.port());
        smtp = ConfDirectory.replace(smtp, "<!-- <entry from=\"corp.example\" to=\"[mx.corp.example]:2525\"/> -->",
            "<entry from=\"refusing.example\" to=\"[127.0.0.1]:" + refusing.port() + "\"/>"
                + "<entry from=\"slow.example\" to=\"[127.0.0.1]:" + slow.port() + "\"/>");
        smtp = ConfDirectory.replace(smtp, "<skipDomains></skipDomains>", "<skipDomains>skip.example</skipDomains>");
        ConfDirectory.write(workingDirectory, smtp, ConfSamplesTest.mailets("[127.0.0.1]:" + mx.port()));
        Files.writeString(workingDirectory.resolve("conf/webadmin.properties"), webadmin(), StandardCharsets.UTF_8);

        james = JamesUnderTest.server(workingDirectory);
        james.start();
        james.getProbe(DataProbeImpl.class).fluent().addDomain("local.test").addUser(BOB, "secret");
        admin = WebAdminClient.of(james);
    }

    /** conf-samples/webadmin.properties on an ephemeral loopback port. */
    static String webadmin() throws Exception {
        String properties = ConfDirectory.sample("webadmin.properties");
        properties = ConfDirectory.replace(properties, "port=8000", "port=0");
        return ConfDirectory.replace(properties, "host=localhost", "host=127.0.0.1");
    }

    @AfterAll
    static void stop() {
        if (james != null) {
            james.stop();
        }
        HELD.releaseAll();
        mx.close();
        refusing.close();
        slow.close();
    }

    /** One mail from {@code sender} to bob, and the verdict the handler gave it. */
    static StoredMail mailFrom(String sender) throws Exception {
        String subject = NAMES.unique("subject");
        int port = james.getProbe(SmtpGuiceProbe.class).getSmtpPort().getValue();
        try (SmtpClient c = SmtpClient.connect(port).greetAndEhlo()) {
            expect(250, c.sendMail(sender, BOB, subject));
        }
        return JamesUnderTest.awaitMail(james, subject);
    }

    /** Every command the MX received but QUIT, which a connection kept idle says when it leaves. */
    static long commandsBesidesQuit() {
        return mx.connections().stream().flatMap(c -> c.commands().stream()).filter(l -> !l.equals("QUIT")).count();
    }

    /** Callbacks the MX received for {@code address}: its RCPT TOs, over however many (kept) connections. */
    static long callbacks(String address) {
        return mx.connections().stream().flatMap(c -> c.commands().stream())
            .filter(("RCPT TO:<" + address + ">")::equals).count();
    }

    /** Whether the slow MX has been asked RCPT TO for {@code address}. */
    static boolean slowSawRcpt(String address) {
        return slow.connections().stream().anyMatch(c -> c.commands().contains("RCPT TO:<" + address + ">"));
    }

    /** Callbacks waiting for a slot of their domain, as /cbv/stats counts them. */
    static int waitingForDomain() throws Exception {
        return admin.json(200, "GET", "/cbv/stats").at("/callbacks/waitingForDomain").asInt();
    }

    /**
     * The sample allows two callbacks at a time to one domain: a third waits for a slot. Its INFO line
     * and its detail say how long, apart from how long its own callback took.
     */
    @Test
    void aSenderWhoseCallbackWaitedForTheDomainsSlotSaysHowLongItWaited() throws Exception {
        String first = NAMES.unique("held") + "@slow.example";
        String second = NAMES.unique("held") + "@slow.example";
        String late = NAMES.unique("late") + "@slow.example";
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try (LoggedLines log = new LoggedLines(CallbackVerifyHandler.class)) {
            log.attach();
            Future<StoredMail> firstMail = clients.submit(() -> mailFrom(first));
            await().atMost(GENEROUS).until(() -> slowSawRcpt(first));
            Future<StoredMail> secondMail = clients.submit(() -> mailFrom(second));
            await().atMost(GENEROUS).until(() -> slowSawRcpt(second));
            Future<StoredMail> lateMail = clients.submit(() -> mailFrom(late));
            await().atMost(GENEROUS).until(() -> waitingForDomain() == 1);
            Thread.sleep(QUEUED.toMillis()); // the time in the queue that the verdict must show

            HELD.release(first);
            StoredMail stored = lateMail.get(GENEROUS.toSeconds(), TimeUnit.SECONDS);
            HELD.release(second);
            for (Future<StoredMail> held : List.of(firstMail, secondMail)) {
                assertThat(held.get(GENEROUS.toSeconds(), TimeUnit.SECONDS).detail()).containsEntry("waitMs", "0");
            }

            long waitMs = Long.parseLong(stored.detail().get("waitMs"));
            long callbackMs = Long.parseLong(stored.detail().get("elapsedMs"));
            assertThat(waitMs).isGreaterThanOrEqualTo(QUEUED.toMillis());
            assertThat(callbackMs).as("its own callback was answered at once").isLessThan(waitMs);
            String line = await().atMost(GENEROUS)
                .until(() -> log.matching(l -> l.startsWith("callback verification sender=" + late)), lines -> !lines.isEmpty())
                .get(0);
            assertThat(line).contains(" result=pass ").contains(" ms=" + callbackMs + " waitMs=" + waitMs + " ");
        } finally {
            HELD.releaseAll();
            clients.shutdownNow();
        }
    }

    /**
     * James's WebAdmin shows a stored mail's attributes as their values' toString(): the detail map
     * as a dump of James's objects, the summary as what it says.
     */
    @Test
    void aStoredMailShowsItsVerdictReadablyInWebAdminsMailView() throws Exception {
        String sender = NAMES.unique("error") + "@remote.example";
        mailFrom(sender);

        JsonNode mail = mailViewOf("cbv-error", sender);

        JsonNode attributes = mail.get("attributes");
        assertThat(attributes.get("smtp_cbv_result").asText()).isEqualTo("error");
        assertThat(attributes.get("smtp_cbv_result.detail").asText()).as("what the summary is for")
            .contains("AttributeValue{value=error");
        assertThat(attributes.get("smtp_cbv_result.summary").asText())
            .matches("result=error, stage=rcpt, code=550, enhancedCode=5\\.1\\.1, "
                + "mxHost=127\\.0\\.0\\.1, ip=127\\.0\\.0\\.1, tls=none, domain=remote\\.example, elapsedMs=\\d+, waitMs=\\d+, "
                + "cached=false, policyRejection=false, text=User unknown");
    }

    /**
     * The mail of {@code sender} in the repository {@code name}, as WebAdmin's mail view shows it with
     * its attributes. Found through the probe, which disposes what it reads: James 3.8.1's mail view
     * does not dispose the copy it reads (MailRepositoryStoreService.retrieveMail hands the Optional,
     * not the mail, to LifecycleUtil.dispose), and each one left to the garbage collector is an ERROR
     * "Leak detected!" in the build's log. So one view, not one per mail of the repository.
     */
    static JsonNode mailViewOf(String name, String sender) throws Exception {
        MailRepositoryReader reader = new MailRepositoryReader(james.getProbe(MailRepositoryProbeImpl.class),
            JamesUnderTest::repository);
        List<String> keys = reader.readEach(List.of(name), (repository, mail) -> mail.getMaybeSender().asOptional()
            .filter(s -> s.asString().equals(sender)).map(s -> mail.getName()));
        assertThat(keys).as("mails from %s in %s", sender, name).hasSize(1);
        String path = URLEncoder.encode(JamesUnderTest.repository(name).getPath().asString(), StandardCharsets.UTF_8);
        return admin.json(200, "GET", "/mailRepositories/" + path + "/mails/"
            + URLEncoder.encode(keys.get(0), StandardCharsets.UTF_8) + "?additionalFields=attributes");
    }

    @Test
    void theRoutesAreLoadedFromWebadminPropertiesBesideJamessOwn() throws Exception {
        assertThat(admin.send("GET", "/domains").statusCode()).isEqualTo(200);
        assertThat(admin.json(200, "GET", "/cbv/stats").has("cache")).isTrue();
    }

    @Test
    void postCallsBackNowWithTheHandlersSettingsAndAnswersAsTheCommandLine() throws Exception {
        String alice = NAMES.unique("alice") + "@remote.example";

        HttpResponse<String> posted = admin.send("POST", "/cbv/verdicts/" + alice + "?dialog=true");

        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.body()).startsWith("{\"address\":\"" + alice + "\",\"result\":\"pass\",\"stage\":\"rcpt\",\"code\":250,");
        JsonNode verdict = WebAdminClient.parse(posted.body());
        assertThat(verdict.get("cached").asBoolean()).isFalse();
        assertThat(verdict.get("domain").asText()).isEqualTo("remote.example");
        assertThat(verdict.get("waitMs").isIntegralNumber()).as("the wait for the limits, a number as elapsedMs").isTrue();
        assertThat(verdict.get("dialog").toString()).contains("RCPT TO:<" + alice + ">").contains("250 2.1.5 Ok");
        assertThat(mx.connections().stream().filter(c -> c.commands().contains("RCPT TO:<" + alice + ">")).findFirst()
            .orElseThrow().commands()).contains("MAIL FROM:<>");

        JsonNode again = admin.json(200, "POST", "/cbv/verdicts/" + alice);
        assertThat(again.get("cached").asBoolean()).as("a POST always calls back").isFalse();
        assertThat(again.has("dialog")).isFalse();
        assertThat(callbacks(alice)).isEqualTo(2);
    }

    @Test
    void whatPostLearntIsInTheCacheForTheHandler() throws Exception {
        String sender = NAMES.unique("error") + "@remote.example";
        assertThat(admin.json(200, "POST", "/cbv/verdicts/" + sender).get("result").asText()).isEqualTo("error");

        JsonNode held = admin.json(200, "GET", "/cbv/verdicts/" + sender);
        assertThat(held.get("result").asText()).isEqualTo("error");
        assertThat(held.get("cached").asBoolean()).isTrue();
        assertThat(held.get("scope").asText()).isEqualTo("address");
        assertThat(held.get("key").asText()).isEqualTo(sender);
        assertThat(held.get("expiresInSeconds").asLong()).as("errorTtl 3h").isBetween(3 * 3600L - 60, 3 * 3600L);
        assertThat(held.get("ageSeconds").asLong()).as("remembered just now").isBetween(0L, 60L);
        assertThat(held.get("madeAt").asText()).isNotEmpty();
        assertThat(held.get("held")).hasSize(1);

        StoredMail mail = mailFrom(sender);
        assertThat(mail.detail()).containsEntry("result", "error").containsEntry("cached", "true");
        assertThat(callbacks(sender)).isEqualTo(1);
    }

    @Test
    void aVerdictForgottenThroughWebAdminIsGoneForTheHandler() throws Exception {
        String carol = NAMES.unique("carol") + "@remote.example";
        assertThat(mailFrom(carol).detail()).containsEntry("cached", "false");
        assertThat(admin.json(200, "GET", "/cbv/verdicts/" + carol).get("result").asText()).isEqualTo("pass");

        assertThat(admin.send("DELETE", "/cbv/verdicts/" + carol).statusCode()).isEqualTo(204);

        HttpResponse<String> gone = admin.send("GET", "/cbv/verdicts/" + carol);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(WebAdminClient.parse(gone.body()).get("type").asText()).isEqualTo("notFound");
        assertThat(mailFrom(carol).detail()).as("the next mail makes a new callback").containsEntry("cached", "false");
        assertThat(callbacks(carol)).isEqualTo(2);
    }

    @Test
    void aDomainVerdictAnswersForEveryAddressUntilTheDomainIsForgotten() throws Exception {
        String first = NAMES.unique("a") + "@refusing.example";
        String other = NAMES.unique("b") + "@refusing.example";
        JsonNode posted = admin.json(200, "POST", "/cbv/verdicts/" + first);
        assertThat(posted.get("stage").asText()).isEqualTo("mail");

        JsonNode held = admin.json(200, "GET", "/cbv/verdicts/" + other);
        assertThat(held.get("address").asText()).isEqualTo(other);
        assertThat(held.get("result").asText()).isEqualTo("error");
        assertThat(held.get("scope").asText()).isEqualTo("domain");
        assertThat(held.get("key").asText()).isEqualTo("refusing.example");

        assertThat(admin.send("DELETE", "/cbv/verdicts?domain=refusing.example").statusCode()).isEqualTo(204);
        assertThat(admin.send("GET", "/cbv/verdicts/" + other).statusCode()).isEqualTo(404);
        assertThat(admin.send("GET", "/cbv/verdicts/" + first).statusCode()).isEqualTo(404);
    }

    @Test
    void forgettingADomainForgetsEachOfItsAddresses() throws Exception {
        String domain = NAMES.unique("d").toLowerCase() + ".example";
        // Not mapped: the sample's map sends only remote.example and refusing.example to the scripted MXs.
        String one = "x@" + domain;
        admin.json(200, "POST", "/cbv/verdicts/" + one);
        String two = NAMES.unique("y") + "@remote.example";
        admin.json(200, "POST", "/cbv/verdicts/" + two);

        assertThat(admin.send("DELETE", "/cbv/verdicts?domain=remote.example").statusCode()).isEqualTo(204);

        assertThat(admin.send("GET", "/cbv/verdicts/" + two).statusCode()).isEqualTo(404);
        assertThat(admin.send("GET", "/cbv/verdicts/" + one).statusCode()).as("another domain's verdict stays").isEqualTo(200);
    }

    @Test
    void statsSayWhatTheCacheAndTheLimitsDid() throws Exception {
        String dave = NAMES.unique("dave") + "@remote.example";
        mailFrom(dave);
        mailFrom(dave);

        JsonNode stats = admin.json(200, "GET", "/cbv/stats");

        assertThat(stats.at("/cache/entries").asLong()).isPositive();
        assertThat(stats.at("/cache/hits").asLong()).isPositive();
        assertThat(stats.at("/cache/misses").asLong()).isPositive();
        assertThat(stats.at("/cache").has("joined")).isTrue();
        assertThat(stats.at("/callbacks/inFlight").asInt()).isNotNegative();
        assertThat(stats.at("/callbacks").has("queued")).isTrue();
        assertThat(stats.at("/callbacks").has("waitingForDomain")).isTrue();
        assertThat(stats.at("/verdicts/pass").asLong()).isPositive();
        assertThat(stats.at("/refused").fieldNames()).toIterable()
            .containsExactly("clientRate", "domainConcurrency", "domainRate", "capacity", "other");
        assertThat(stats.at("/connections").fieldNames()).toIterable().containsExactly("open", "idle", "reused");
        assertThat(stats.at("/connections/reused").asLong()).isNotNegative();
        assertThat(stats.get("sharedStores")).isEmpty();
    }

    @Test
    void metricsListOursAfterAFewMails() throws Exception {
        String erin = NAMES.unique("erin") + "@remote.example";
        mailFrom(erin);
        mailFrom(erin);
        mailFrom(NAMES.unique("error") + "@remote.example");

        HttpResponse<String> metrics = admin.send("GET", "/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        List<String> ours = metrics.body().lines().filter(l -> l.startsWith("smtp_cbv_")).collect(Collectors.toList());
        assertThat(ours).anyMatch(l -> l.startsWith("smtp_cbv_verifications_pass"))
            .anyMatch(l -> l.startsWith("smtp_cbv_verifications_error"))
            .anyMatch(l -> l.startsWith("smtp_cbv_verification_latency"))
            .anyMatch(l -> l.startsWith("smtp_cbv_cache_hits"))
            .anyMatch(l -> l.startsWith("smtp_cbv_cache_misses"))
            .anyMatch(l -> l.startsWith("smtp_cbv_callbacks_joined"))
            .anyMatch(l -> l.startsWith("smtp_cbv_refused_domain_rate"))
            .anyMatch(l -> l.startsWith("smtp_cbv_callbacks_in_flight"))
            .anyMatch(l -> l.startsWith("smtp_cbv_cache_entries"))
            .anyMatch(l -> l.startsWith("smtp_cbv_connections_open"))
            .anyMatch(l -> l.startsWith("smtp_cbv_connections_idle"))
            .anyMatch(l -> l.startsWith("smtp_cbv_connections_reused"));

        // The same counters as JMX MBeans (Dropwizard's JmxReporter, domain "metrics").
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        assertThat((Long) jmx.getAttribute(new ObjectName("metrics:name=smtp_cbv_cache_hits,type=meters"), "Count")).isPositive();
        assertThat(jmx.getAttribute(new ObjectName("metrics:name=smtp_cbv_callbacks_in_flight,type=gauges"), "Value")).isEqualTo(0);
    }

    /** Percent-encoded paths an operator's client (or an attacker with its token) might send. */
    static final List<String> HOSTILE = List.of(
        "evil%0D%0AMAIL%20FROM:%3C%3E@remote.example",   // CR LF: a second SMTP command
        "evil%0Ainjected@remote.example",                // a second log line
        "evil%00injected@remote.example",                // NUL (Jetty refuses it before the routes)
        "%C3%A9vil@remote.example",                      // non-ASCII
        "evil@remote.example%0D%0AX-Injected:%20yes",
        "x".repeat(300) + "@remote.example",             // over-long
        "x".repeat(4000) + "@remote.example",
        "%FF%FE@remote.example");                        // not UTF-8

    @Test
    void hostileAddressesAre400AndReachNoRemoteAndNoLogAsTheyCame() throws Exception {
        long connectionsBefore = mx.connections().size();
        long commandsBefore = commandsBesidesQuit();
        List<String> logged;
        try (EveryLogLine log = new EveryLogLine()) {
            for (String path : HOSTILE) {
                for (String method : List.of("POST", "GET", "DELETE")) {
                    HttpResponse<String> response = admin.send(method, "/cbv/verdicts/" + path);
                    String what = method + " " + path.substring(0, Math.min(50, path.length()));
                    assertThat(response.statusCode()).as(what).isEqualTo(400);
                    if (!path.contains("%00")) {
                        assertThat(WebAdminClient.parse(response.body()).get("type").asText()).as(what).isEqualTo("InvalidArgument");
                    }
                    assertThat(response.body()).as(what).doesNotContain("\r", "\n", "\u0000", "\u00e9");
                }
            }
            // What an HTTP client will not send: a malformed escape, raw UTF-8 and raw control bytes in the path.
            assertThat(admin.raw("POST", "/cbv/verdicts/evil%4@remote.example".getBytes(StandardCharsets.US_ASCII))).isEqualTo(400);
            assertThat(admin.raw("POST", "/cbv/verdicts/\u00e9vil@remote.example".getBytes(StandardCharsets.UTF_8))).isEqualTo(400);
            assertThat(admin.raw("POST", "/cbv/verdicts/evil\u0001x@remote.example".getBytes(StandardCharsets.US_ASCII))).isEqualTo(400);
            assertThat(admin.send("DELETE", "/cbv/verdicts?domain=evil%0D%0A.example").statusCode()).isEqualTo(400);
            logged = log.lines();
        }

        assertThat(mx.connections()).as("no callback to any remote").hasSize((int) connectionsBefore);
        // nor a command on a connection kept from an earlier callback (whose QUIT may come meanwhile)
        assertThat(commandsBesidesQuit()).as("no command on a kept connection either").isEqualTo(commandsBefore);
        assertThat(logged).as("WebAdmin logged the requests").isNotEmpty();
        assertThat(logged).as("nothing reached a log line as it came").allSatisfy(line -> assertThat(line)
            .doesNotContain("\r", "\n", "\u0000", "\u00e9", "\ufffd", "\u0001", "injected"));
    }

    @Test
    void badAndUnprobedAddressesAre400InJamessShape() throws Exception {
        JsonNode bad = admin.json(400, "POST", "/cbv/verdicts/not-an-address");
        assertThat(bad.get("statusCode").asInt()).isEqualTo(400);
        assertThat(bad.get("type").asText()).isEqualTo("InvalidArgument");
        assertThat(bad.get("message").asText()).isEqualTo("Invalid address");
        assertThat(bad.get("details").asText()).contains("local@domain");

        JsonNode literal = admin.json(400, "POST", "/cbv/verdicts/a@%5B192.0.2.1%5D");
        assertThat(literal.get("message").asText()).isEqualTo("Address will not be probed");
        assertThat(literal.get("details").asText()).contains("address literal");

        JsonNode skipped = admin.json(400, "POST", "/cbv/verdicts/a@skip.example");
        assertThat(skipped.get("message").asText()).isEqualTo("Address will not be probed");
        assertThat(skipped.get("details").asText()).contains("skipDomains");
    }
}
