package io.omnisql.gateway;

import static io.omnisql.gateway.QueryEndToEndTest.sourceOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.SimulatorStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Timeouts (per source, per query, per statement) and the caps on rows and bytes, through HTTP. */
class LimitsHttpTest {
    /** The GitHub simulator answers after this long; its source gives up after 300 ms. */
    private static final long GITHUB_LATENCY_MS = 5000;
    private static GatewayHarness gw;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml")
                ? text.replace("    latency_ms: 0\n    seed: 42", "    latency_ms: " + GITHUB_LATENCY_MS + "\n    seed: 42")
                        .replace("pull_requests: 5000", "pull_requests: 200")
                        .replace("issues: 10000", "issues: 600")
                        .replace("max_rows_per_table: 200000", "max_rows_per_table: 250")
                        .replace("max_result_bytes: 67108864", "max_result_bytes: 2048")
                        // the github source's timeout (the first timeout_ms after its base_url)
                        .replaceFirst("(?s)(\n  github:\n    base_url: embedded:github.*?)timeout_ms: 10000", "$1timeout_ms: 300")
                : text);
        token = gw.token("limits", "mobile", "admin", "");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static Response query(String sql, long timeoutMs) {
        return gw.post("/v1/query", token, GatewayHarness.JSON.createObjectNode().put("sql", sql)
                .put("timeout_ms", timeoutMs).put("max_staleness_ms", 0).toString());
    }

    @Test
    void sourceMissingItsTimeoutIsSourceTimeoutAndItsRequestsAreCancelled() {
        assertThat(gw.gateway().config().current().catalog().sources().get("github").timeoutMs()).isEqualTo(300);
        SimulatorStats before = gw.gateway().simulators().stats();
        long t0 = System.nanoTime();
        Response r = query("SELECT count(*) FROM github.pull_requests", 60_000);
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as(r.text()).isEqualTo(504);
        assertThat(r.errorCode()).isEqualTo("SOURCE_TIMEOUT");
        assertThat(r.body().at("/error/source").asText()).isEqualTo("github");
        // Answered long before the simulator would have, and no request beyond each stream's first page was made.
        assertThat(elapsedMs).isLessThan(GITHUB_LATENCY_MS);
        // (one stream per repository and state: 4 x 2)
        assertThat(gw.gateway().simulators().stats().githubPullsPages() - before.githubPullsPages()).isLessThanOrEqualTo(8);
    }

    @Test
    void queryDeadlineShorterThanTheSourceTimeoutEndsTheFetch() {
        String sql = "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/infra'";
        // Planned beforehand (explain fetches nothing) so the whole 100 ms are left for the fetch.
        gw.post("/v1/explain", token, GatewayHarness.JSON.createObjectNode().put("sql", sql).toString());
        long t0 = System.nanoTime();
        Response r = query(sql, 100);
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as(r.text()).isEqualTo(504);
        assertThat(r.errorCode()).isEqualTo("SOURCE_TIMEOUT");
        // The request waited at most what was left of the 100 ms deadline, not the source's 300 ms.
        java.util.regex.Matcher waited = java.util.regex.Pattern.compile("no answer within (\\d+) ms")
                .matcher(r.body().at("/error/message").asText());
        assertThat(waited.find()).as(r.text()).isTrue();
        assertThat(Long.parseLong(waited.group(1))).isLessThanOrEqualTo(100);
        assertThat(elapsedMs).isLessThan(GITHUB_LATENCY_MS);
    }

    @Test
    void statementOverTheQueryDeadlineIsQueryTimeout() {
        // 250^4 rows of string work: minutes for DuckDB, cut at the 1.5 s deadline (the fetch takes a fraction).
        String columns = "a.summary || a.key || b.summary || b.key || c.summary || c.key || d.summary || d.key";
        Response r = query("SELECT sum(length(" + columns + ")) FROM jira.issues a, jira.issues b, jira.issues c, "
                + "jira.issues d", 1500);
        assertThat(r.status()).as(r.text()).isEqualTo(504);
        assertThat(r.errorCode()).isEqualTo("QUERY_TIMEOUT");
        // The engine is free again.
        assertThat(query("SELECT count(*) FROM jira.issues", 30_000).status()).isEqualTo(200);
    }

    @Test
    void fetchIsCutAtMaxRowsPerTableWithAWarning() {
        Response r = query("SELECT count(*) FROM jira.issues", 30_000);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asLong()).isEqualTo(250);
        assertThat(sourceOf(r.body().get("metadata"), "jira.issues").get("rows").asLong()).isEqualTo(250);
        assertThat(r.body().at("/metadata/warnings").toString()).contains("max_rows 250");
    }

    @Test
    void resultIsCutAtMaxResultBytesWithAWarning() {
        Response r = query("SELECT key, summary FROM jira.issues", 30_000);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode meta = r.body().get("metadata");
        assertThat(meta.get("truncated").asBoolean()).isTrue();
        assertThat(meta.get("warnings").toString()).contains("max_result_bytes 2048");
        assertThat(r.body().get("rows").size()).isPositive().isLessThan(250);
        assertThat(r.body().get("rows").toString().length()).isLessThanOrEqualTo(2048);
    }
}
