package io.github.jamescbv.testing.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A self-signed certificate and its key for a peer that speaks TLS, made by openssl at the
 * peer's start in its own directory (RSA 2048, ten years, the subject a name of the test's
 * choosing): nothing secret is kept in the repository, and no two runs share a key.
 */
final class PeerCertificate {
    static final String KEY_FILE = "tls-key.pem";
    static final String CERTIFICATE_FILE = "tls-cert.pem";
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private PeerCertificate() {
    }

    /** Writes {@link #KEY_FILE} and {@link #CERTIFICATE_FILE} into {@code directory}, for {@code name}. */
    static void write(Path directory, String name, Path transcript) {
        PeerCommand.check(transcript, LIMIT, List.of(Peers.program("openssl"), "req", "-x509", "-newkey", "rsa:2048",
            "-nodes", "-sha256", "-days", "3650", "-subj", "/CN=" + name,
            "-keyout", directory.resolve(KEY_FILE).toString(), "-out", directory.resolve(CERTIFICATE_FILE).toString()));
    }
}
