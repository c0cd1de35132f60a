package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Typed literals and casts push like strings; IS [NOT] NULL shows as residual; a missing Jira key is no rows. */
class PushdownCoverageTest {
    private static GatewayHarness gw;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start((f, t) -> f.equals("catalog.yaml") ? t.replace("issues: 10000", "issues: 300") : t);
        token = gw.token("ops", "platform", "admin", "");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static JsonNode explain(String sql) {
        Response r = gw.post("/v1/explain", token, GatewayHarness.JSON.createObjectNode().put("sql", sql).toString());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body().at("/tables/0");
    }

    @Test
    void typedLiteralsAndCastsOfLiteralsArePushedLikeStrings() {
        for (String literal : new String[] {"TIMESTAMP '2025-03-01 10:30:00'", "CAST('2025-03-01 10:30:00' AS TIMESTAMP)",
                "'2025-03-01 10:30:00'::TIMESTAMP"}) {
            JsonNode t = explain("SELECT key FROM jira.issues WHERE created_at >= " + literal);
            assertThat(t.get("pushed_filters").toString()).as(literal).contains("created_at");
            assertThat(java.net.URLDecoder.decode(t.at("/requests/0").asText(), java.nio.charset.StandardCharsets.UTF_8))
                    .as(literal).contains("created >= \"2025-03-01 10:30\"");
        }
        JsonNode date = explain("SELECT key FROM jira.issues WHERE created_at < DATE '2025-03-01'");
        assertThat(date.get("pushed_filters").toString()).contains("created_at");
    }

    @Test
    void isNullAndIsNotNullAppearAsResidualFilters() {
        JsonNode t = explain("SELECT key FROM jira.issues WHERE assignee IS NULL AND branch_name IS NOT NULL");
        assertThat(t.get("residual_filters").toString()).contains("assignee IS NULL").contains("branch_name IS NOT NULL");
    }

    @Test
    void aKeyThatDoesNotExistIsNoRowsNotAnError() throws Exception {
        // The simulator answers like Jira: 400 for JQL naming an issue key that does not exist.
        java.net.http.HttpResponse<String> direct = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.gateway().simulators().jiraBaseUrl()
                        + "/rest/api/3/search/jql?jql=key%20%3D%20MOB-999999&fields=summary")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(direct.statusCode()).isEqualTo(400);
        assertThat(direct.body()).contains("An issue with key 'MOB-999999' does not exist for field 'key'.");

        Response one = gw.query(token, "SELECT key FROM jira.issues WHERE key = 'MOB-999999'", 0);
        assertThat(one.status()).as(one.text()).isEqualTo(200);
        assertThat(one.body().get("rows")).isEmpty();
        assertThat(one.body().at("/metadata/warnings").toString()).contains("refused a pushed key filter");
        Response existing = gw.query(token, "SELECT key FROM jira.issues WHERE key = 'MOB-2'", 0);
        assertThat(existing.body().at("/metadata/warnings").toString()).doesNotContain("refused");
        assertThat(existing.body().at("/metadata/sources/0/pages").asInt()).isEqualTo(3); // one per project stream, no retry
        Response mixed = gw.query(token, "SELECT key FROM jira.issues WHERE key IN ('MOB-1', 'MOB-999999') ORDER BY key", 0);
        assertThat(mixed.status()).as(mixed.text()).isEqualTo(200);
        assertThat(mixed.body().at("/rows/0/0").asText()).isEqualTo("MOB-1");
        assertThat(mixed.body().get("rows")).hasSize(1);
        Response dc = gw.query(token, "SELECT key FROM jira_dc.issues WHERE key = 'WEB-999999'", 0);
        assertThat(dc.status()).as(dc.text()).isEqualTo(200);
        assertThat(dc.body().get("rows")).isEmpty();
    }
}
