package io.github.jamescbv.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A James working directory whose {@code conf/} holds real files, for the tests that must
 * boot James from a given smtpserver.xml and mailetcontainer.xml (the conf-samples, a broken
 * handler configuration) rather than from the test class path's.
 */
public final class ConfDirectory {
    /**
     * The memory server's test configuration (James's test jar), except the two files each test
     * brings; the other protocols' servers and JMX are our test resources' (off: no fixed port).
     */
    private static final List<String> JAMES_TEST_FILES = List.of("dnsservice.xml", "domainlist.xml", "imapserver.xml",
        "keystore", "listeners.xml", "lmtpserver.xml", "mailrepositorystore.xml", "managesieveserver.xml",
        "pop3server.xml", "usersrepository.xml", "jmx.properties");

    private ConfDirectory() {
    }

    /** Creates {@code workingDirectory/conf} with James's test files plus these two. */
    public static void write(Path workingDirectory, String smtpserverXml, String mailetcontainerXml) throws IOException {
        Path conf = Files.createDirectories(workingDirectory.resolve("conf"));
        for (String name : JAMES_TEST_FILES) {
            try (InputStream in = ConfDirectory.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException(name + " not on the class path (james-server-memory-app test-jar)");
                }
                Files.copy(in, conf.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(conf.resolve("smtpserver.xml"), smtpserverXml, StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("mailetcontainer.xml"), mailetcontainerXml, StandardCharsets.UTF_8);
    }

    /** A file of the test class path (src/test/resources), as text. */
    public static String resource(String name) throws IOException {
        try (InputStream in = ConfDirectory.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " not on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A file of the repository's conf-samples. */
    public static String sample(String name) throws IOException {
        return Files.readString(Path.of("conf-samples", name), StandardCharsets.UTF_8);
    }

    /** {@code text} with {@code from} replaced; fails when {@code from} is not there, so a changed sample is noticed. */
    public static String replace(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new AssertionError("expected to find in the configuration: " + from);
        }
        return text.replace(from, to);
    }
}
