package io.omnisql.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API mounted under /v1: its routes answer, a wrong method is a JSON 405 with Allow, and a path no route takes
 * (inside /v1 or not) is a JSON 404 counted once as route "unmatched", never by its raw path.
 */
class ApiRoutesTest {
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void theMountedApiAnswersAndWrongMethodsAreRefusedWithAllow() {
        assertThat(gw.get("/v1/catalog", gw.token()).status()).isEqualTo(200);
        Response wrong = gw.get("/v1/query", gw.token());
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.body().at("/error/code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(wrong.headers().get("allow")).containsExactly("POST");
        assertThat(gw.delete("/v1/queries", gw.token()).headers().get("allow")).containsExactly("GET");
    }

    @Test
    void pathsNoRouteTakesAreNotFoundAndCountedAsUnmatched() {
        double before = unmatched();
        for (String path : new String[] {"/v1/nope", "/v1", "/nope/123", "/v1/queries/a/b"}) {
            Response r = gw.get(path, gw.token());
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.body().at("/error/code").asText()).as(path).isEqualTo("NOT_FOUND");
        }
        String metrics = gw.get("/metrics", null).text();
        assertThat(unmatched() - before).isEqualTo(4);
        assertThat(metrics).doesNotContain("route=\"/v1/nope\"").doesNotContain("route=\"/nope/123\"");
        assertThat(gw.get("/health", null).status()).isEqualTo(200);
        assertThat(gw.get("/metrics", null).text()).contains("route=\"/health\"");
    }

    @Test
    void consoleFilesShareOneRouteLabelWhileFixedRoutesAreLabelledByTheirPath() {
        for (String path : new String[] {"/", "/console/", "/console/no-such-file.js", "/console/config.json",
                "/health/live", "/health/ready", "/openapi.yaml"}) {
            gw.get(path, null);
        }
        String metrics = gw.get("/metrics", null).text();
        assertThat(metrics).contains("route=\"/console\"").contains("route=\"/console/config.json\"")
                .contains("route=\"/\"").contains("route=\"/health/live\"").contains("route=\"/health/ready\"")
                .contains("route=\"/openapi.yaml\"")
                .doesNotContain("route=\"/console/no-such-file.js\"").doesNotContain("route=\"/console/\"");
    }

    private static double unmatched() {
        Matcher m = Pattern.compile("(?m)^http_requests_total\\{[^}]*route=\"unmatched\"[^}]*} ([0-9.eE+-]+)$")
                .matcher(gw.get("/metrics", null).text());
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }
}
