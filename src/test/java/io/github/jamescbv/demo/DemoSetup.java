package io.github.jamescbv.demo;

import io.github.jamescbv.testing.ConfDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Writes the demo James's {@code conf/}: conf-samples/ as shipped, with only what a demo on
 * one machine must change: unprivileged loopback ports, the demo DNS server, the demo MX
 * port, and allowPrivateTargets (the demo's "remote" mail servers live on 127.0.0.2 and .3),
 * for the handler and the on-demand mailet alike; WebAdmin (with the /cbv routes and /metrics)
 * on the demo's loopback port; {@code conf/logback.xml}, James's sample logging with our INFO lines.
 * Everything else James needs comes from the memory server's own test configuration. It runs on
 * James's class path, and refuses one with more than one SLF4J provider.
 *
 * <p>Arguments: {@code workingDirectory smtpPort dnsPort mxPort webadminPort}.
 */
public final class DemoSetup {
    private DemoSetup() {
    }

    public static void main(String[] args) throws Exception {
        List<String> providers = slf4jProviders();
        if (providers.size() != 1) {
            // bin/james-demo runs this on James's class path: two providers and SLF4J picks one by class path order.
            System.err.println("James's class path has " + providers.size() + " SLF4J providers " + providers
                + "; the demo wants James's logback alone (see bin/james-demo, excludeArtifactIds)");
            System.exit(1);
        }
        Path work = Path.of(args[0]);
        String smtpPort = args[1];
        String dnsPort = args[2];
        String mxPort = args[3];
        String webadminPort = args[4];
        String smtp = ConfDirectory.sample("smtpserver.xml");
        smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:25</bind>", "<bind>127.0.0.1:" + smtpPort + "</bind>");
        smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:465</bind>", "<bind>127.0.0.1:0</bind>");
        smtp = ConfDirectory.replace(smtp, "<bind>0.0.0.0:587</bind>", "<bind>127.0.0.1:0</bind>");
        smtp = ConfDirectory.replace(smtp, "<port>25</port>", "<port>" + mxPort + "</port>");
        smtp = ConfDirectory.replace(smtp, "<!-- <dns><server>127.0.0.53</server></dns> -->",
            "<dns><server>127.0.0.1:" + dnsPort + "</server></dns>");
        smtp = ConfDirectory.replace(smtp, "<!-- <heloName>mx.example.org</heloName> -->",
            "<heloName>demo.james.test</heloName>");
        smtp = ConfDirectory.replace(smtp, "<allowPrivateTargets>false</allowPrivateTargets>",
            "<allowPrivateTargets>true</allowPrivateTargets>");
        // The on-demand mailet (verifying the From header) gets the same demo remotes.
        String mailets = ConfDirectory.sample("mailetcontainer.xml");
        mailets = ConfDirectory.replace(mailets, "<port>25</port>", "<port>" + mxPort + "</port>");
        mailets = ConfDirectory.replace(mailets, "<!-- <dns>127.0.0.53</dns> -->", "<dns>127.0.0.1:" + dnsPort + "</dns>");
        mailets = ConfDirectory.replace(mailets, "<!-- <heloName>mx.example.org</heloName> -->",
            "<heloName>demo.james.test</heloName>");
        mailets = ConfDirectory.replace(mailets, "<allowPrivateTargets>false</allowPrivateTargets>",
            "<allowPrivateTargets>true</allowPrivateTargets>");
        ConfDirectory.write(work, smtp, mailets);
        Files.writeString(work.resolve("conf/logback.xml"), ConfDirectory.resource("demo/logback.xml"), StandardCharsets.UTF_8);
        // The sample's WebAdmin: our /cbv routes and James's /metrics, on the demo's port.
        String webadmin = ConfDirectory.sample("webadmin.properties");
        webadmin = ConfDirectory.replace(webadmin, "port=8000", "port=" + webadminPort);
        webadmin = ConfDirectory.replace(webadmin, "host=localhost", "host=127.0.0.1");
        Files.writeString(work.resolve("conf/webadmin.properties"), webadmin, StandardCharsets.UTF_8);
        System.out.println("demo configuration written to " + work.resolve("conf"));
    }

    /** The SLF4J providers this class path offers, by class name. */
    private static List<String> slf4jProviders() {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(SLF4JServiceProvider.class).stream().forEach(p -> names.add(p.type().getName()));
        return names;
    }
}
