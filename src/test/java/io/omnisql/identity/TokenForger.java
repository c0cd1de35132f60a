package io.omnisql.identity;

import io.helidon.security.jwt.Jwt;
import io.helidon.security.jwt.SignedJwt;
import io.helidon.security.jwt.jwk.JwkRSA;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Consumer;

/** Signs tokens with a key of its own: what an attacker without the issuer's key can produce. */
final class TokenForger {
    private final KeyPair pair;

    TokenForger() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token with plausible claims for {@code issuer}/{@code audience}, claiming to be signed by {@code kid}. */
    String token(String kid, String issuer, String audience, Consumer<Jwt.Builder> extra) {
        Instant now = Instant.now();
        Jwt.Builder jwt = Jwt.builder().keyId(kid).algorithm("RS256").issuer(issuer).addAudience(audience)
                .subject("mallory").issueTime(now).notBefore(now).expirationTime(now.plus(Duration.ofHours(1)));
        extra.accept(jwt);
        JwkRSA key = JwkRSA.builder().publicKey((RSAPublicKey) pair.getPublic())
                .privateKey((RSAPrivateKey) pair.getPrivate()).keyId(kid).algorithm("RS256").build();
        return SignedJwt.sign(jwt.build(), key).tokenContent();
    }

    /** The token with its payload swapped for {@code payloadJson}, keeping the original signature. */
    static String withPayload(String token, String payloadJson) {
        String[] parts = token.split("\\.");
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(payloadJson.getBytes());
        return parts[0] + "." + payload + "." + parts[2];
    }

    static String payloadOf(String token) {
        return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    static String kidOf(String token) {
        return SignedJwt.parseToken(token).getJwt().keyId().orElseThrow();
    }
}
