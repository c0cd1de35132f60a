package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnisql.error.QueryException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The GitHub App JWT: RS256 over header.claims, iss = app id, iat a minute back, exp under ten minutes ahead. */
class AppJwtTest {
    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    @Test
    void signsWithPkcs1AndPkcs8KeysAndCarriesGithubsClaims() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair pair = gen.generateKeyPair();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        for (String pem : new String[] {pem("PRIVATE KEY", pkcs8),
                pem("RSA PRIVATE KEY", Arrays.copyOfRange(pkcs8, 26, pkcs8.length))}) {
            String jwt = Credentials.jwt(null, "4242", 1_700_000_000L, pem);
            String[] parts = jwt.split("\\.");
            assertThat(parts).hasSize(3);
            JsonNode header = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[0]));
            JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
            assertThat(header.get("alg").asText()).isEqualTo("RS256");
            assertThat(claims.get("iss").asText()).isEqualTo("4242");
            assertThat(claims.get("iat").asLong()).isEqualTo(1_700_000_000L - 60);
            assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isLessThanOrEqualTo(600);
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(pair.getPublic());
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            assertThat(rsa.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        }
    }

    @Test
    void aKeyThatIsNotRsaPemIsAClearSourceErrorWithoutTheKey() {
        io.omnisql.config.Catalog.SourceDef source = new io.omnisql.config.Catalog.SourceDef("gh", "https://x", null,
                java.util.Map.of(), null, 1000, 0, java.util.Map.of(), false);
        assertThatThrownBy(() -> Credentials.jwt(source, "1", 0, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----"))
                .isInstanceOf(QueryException.class).hasMessageContaining("private_key").hasMessageNotContaining("bm90IGEga2V5");
    }
}
