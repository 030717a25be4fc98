package io.github.jamescbv.james.e2e;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;

/**
 * A key pair of the test's own for WebAdmin's JWT: the public key as the PEM file
 * {@code jwt.publickeypem.url} names, and RS256 tokens signed with the private key, written here
 * (header.payload.signature, each base64url) so that no library or foreign key is needed.
 */
final class JwtKeys {
    private final KeyPair pair;

    private JwtKeys(KeyPair pair) {
        this.pair = pair;
    }

    static JwtKeys generate() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return new JwtKeys(generator.generateKeyPair());
    }

    /** The public key, PEM ("BEGIN PUBLIC KEY", X.509 SubjectPublicKeyInfo). */
    String publicKeyPem() {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(pair.getPublic().getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
    }

    /** A token for {@code subject}, valid for an hour, with the claim {@code admin} WebAdmin asks for. */
    String token(String subject, boolean admin) throws GeneralSecurityException {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"sub\":\"" + subject + "\",\"admin\":" + admin + ",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}";
        String signed = base64url(header.getBytes(StandardCharsets.UTF_8)) + "." + base64url(payload.getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(pair.getPrivate());
        rs256.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + base64url(rs256.sign());
    }

    private static String base64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
