package io.github.jamescbv.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The TLS side of scripted remotes: a self-signed RSA 2048 certificate for a name no probe asks
 * for (as an MX host's certificate often is), and the server {@link SSLContext} that shows it.
 * Made once per JVM, at first use, by the JDK's own {@code keytool} in a temporary directory (a
 * second or so): no key is kept in the repository.
 */
public final class TestTls {
    /** The certificate's subject: the name of no MX host of any test. */
    public static final String CERTIFICATE_NAME = "other-name.example.test";
    private static final String PASSWORD = "scripted";

    private TestTls() {
    }

    /** The server context of every scripted remote that speaks STARTTLS. */
    public static SSLContext serverContext() {
        return Holder.SERVER;
    }

    private static final class Holder {
        static final SSLContext SERVER = create();
    }

    private static SSLContext create() {
        try {
            Path dir = Files.createTempDirectory("cbv-test-tls");
            Path store = dir.resolve("server.p12");
            try {
                keytool(store);
                KeyStore keys = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(store)) {
                    keys.load(in, PASSWORD.toCharArray());
                }
                KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                km.init(keys, PASSWORD.toCharArray());
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(km.getKeyManagers(), null, null);
                return context;
            } finally {
                Files.deleteIfExists(store);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("making the test certificate", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("making the test certificate", e);
        }
    }

    private static void keytool(Path store) throws IOException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "mx", "-keyalg", "RSA", "-keysize", "2048",
            "-dname", "CN=" + CERTIFICATE_NAME, "-validity", "3650", "-storetype", "PKCS12",
            "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD))
            .redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}
