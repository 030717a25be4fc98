package io.github.jamescbv.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/james-demo's configuration step, as the script runs it: every change it makes to
 * conf-samples/ still finds its text there (a reworded sample would otherwise break the demo
 * unnoticed), and James gets the demo's logging. The test class path, like the demo's, has
 * James's logback as its only SLF4J provider (surefire leaves slf4j-simple out), so the step's
 * check lets it through.
 */
class DemoSetupTest {
    @Test
    void writesJamesConfigurationFromTheSamplesWithTheDemosPortsAndLogging(@TempDir Path work) throws Exception {
        DemoSetup.main(new String[] {work.toString(), "1025", "10053", "2525", "8000"});

        String smtp = Files.readString(work.resolve("conf/smtpserver.xml"));
        assertThat(smtp).contains("<bind>127.0.0.1:1025</bind>", "<dns><server>127.0.0.1:10053</server></dns>",
            "<port>2525</port>", "<heloName>demo.james.test</heloName>", "<allowPrivateTargets>true</allowPrivateTargets>");
        assertThat(Files.readString(work.resolve("conf/mailetcontainer.xml"))).contains("<dns>127.0.0.1:10053</dns>");
        assertThat(Files.readString(work.resolve("conf/webadmin.properties"))).contains("port=8000", "host=127.0.0.1");
        assertThat(Files.readString(work.resolve("conf/logback.xml")))
            .contains("<logger name=\"io.github.jamescbv\" level=\"INFO\"/>");
    }
}
