package io.omnisql.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tokens of any shape -- claims of the wrong JSON type, instants no clock can hold, payloads that are not
 * objects -- are a 401 with a challenge, decided before (and without) the signature check; 57 of 344 such
 * probes were a 500 before (issue 13).
 */
class TokenShapesHttpTest {
    private static GatewayHarness gw;
    private static String real;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        real = gw.token();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static List<String> payloads() throws Exception {
        ObjectNode base = (ObjectNode) GatewayHarness.JSON.readTree(TokenForger.payloadOf(real));
        List<String> out = new ArrayList<>();
        String[] wrong = {"\"soon\"", "1e300", "-1e300", "9223372036854775807", "-9223372036854775808",
                "99999999999999999999999", "[1]", "{}", "null", "true", "1.5", "\"\""};
        for (String claim : new String[] {"exp", "nbf", "iat", "aud", "scope", "sub", "iss", "team", "roles"}) {
            for (String v : wrong) {
                ObjectNode p = base.deepCopy();
                p.set(claim, GatewayHarness.JSON.readTree(v));
                if (!p.equals(base)) { // scope is "" already
                    out.add(p.toString());
                }
            }
        }
        out.add("[]");
        out.add("5");
        out.add("null");
        out.add("\"x\"");
        out.add("{");
        return out;
    }

    @Test
    void everyMalformedClaimIsUnauthenticatedWithAChallenge() throws Exception {
        for (String payload : payloads()) {
            String token = TokenForger.withPayload(real, payload);
            for (String path : new String[] {"/v1/query", "/v1/explain"}) {
                Response r = gw.post(path, token, "{\"sql\":\"SELECT 1\"}");
                assertThat(r.status()).as(payload + " -> " + r.text()).isEqualTo(401);
                assertThat(r.errorCode()).isEqualTo("UNAUTHENTICATED");
                assertThat(r.header("WWW-Authenticate")).as(payload).startsWith("Bearer");
                assertThat(r.body().at("/error/trace_id").asText()).matches("[0-9a-f]{32}");
            }
            Response c = gw.get("/v1/catalog", token);
            assertThat(c.status()).as(payload + " -> " + c.text()).isEqualTo(401);
        }
    }

    @Test
    void theUntamperedTokenStillWorks() {
        assertThat(gw.post("/v1/explain", real, "{\"sql\":\"SELECT 1\"}").status()).isEqualTo(200);
    }
}
