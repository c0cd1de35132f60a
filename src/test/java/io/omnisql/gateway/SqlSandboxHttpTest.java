package io.omnisql.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.DemoData;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a statement can reach, through HTTP: many references never read raw cached tables, DuckDB's settings,
 * files and catalog are out of reach, and DuckDB's error text never names the engine's internals.
 */
class SqlSandboxHttpTest {
    private static GatewayHarness gw;
    private static DemoData data;
    private static String admin;
    private static String analyst;
    private static String contractor;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        data = gw.gateway().simulators().data();
        admin = gw.token("root", "platform", "admin", "PII_ACCESS");
        analyst = gw.token("alice", "mobile", "analyst", "");
        contractor = gw.token("carl", "mobile", "contractor", "");
        // Raw Jira rows (every team, clear e-mails) sit in the engine's cache from here on.
        Response warm = gw.query(admin, "SELECT key, team_id, assignee_email FROM jira.issues");
        assertThat(warm.status()).as(warm.text()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** The issue's reproduction: references a0..a{n-1} over github.issues, the last ones reading Jira's columns. */
    private static String manyReferences(int n) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(i >= 10
                    ? "(SELECT t" + i + ".key, t" + i + ".team_id, t" + i + ".assignee_email FROM github.issues t" + i + " LIMIT 3) a" + i
                    : "(SELECT 1 AS x FROM github.issues t" + i + " LIMIT 1) a" + i);
        }
        return "SELECT a10.key, a10.team_id, a10.assignee_email FROM " + String.join(", ", items);
    }

    private static void assertNoInternalNames(Response r) {
        assertNoInternalNames(r, "src_\\d+");
    }

    /** {@code engineTables}: a pattern of engine table names the statement itself did not type. */
    private static void assertNoInternalNames(Response r, String engineTables) {
        assertThat(r.text()).doesNotContainPattern(engineTables).doesNotContain("omni_").doesNotContain("Did you mean")
                .doesNotContain("Candidate").doesNotContain("LINE 1");
    }

    @Test
    void twelveReferencesThroughGithubIssuesNeverReadCachedJiraRows() {
        for (int n : new int[] {11, 12, 20}) {
            Response r = gw.query(contractor, manyReferences(n));
            assertThat(r.status()).as(r.text()).isEqualTo(400);
            assertThat(r.errorCode()).as(r.text()).isEqualTo("UNKNOWN_COLUMN");
            assertNoInternalNames(r);
            for (DemoData.Issue issue : data.issues()) {
                assertThat(r.text()).doesNotContain(issue.key() + "\"");
            }
        }
    }

    @Test
    void everyOfManyReferencesIsGovernedOnItsOwn() {
        int n = 12;
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add("SELECT " + i + " AS ref, t" + i + ".key, t" + i + ".team_id, t" + i + ".assignee_email FROM jira.issues t" + i);
        }
        Response r = gw.query(analyst, String.join(" UNION ALL ", items));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        Set<String> mobileKeys = data.issues().stream().filter(i -> "mobile".equals(i.team())).map(DemoData.Issue::key)
                .collect(Collectors.toSet());
        JsonNode rows = r.body().get("rows");
        assertThat(rows.size()).isEqualTo(n * mobileKeys.size());
        for (JsonNode row : rows) {
            assertThat(row.get(2).asText()).isEqualTo("mobile");
            assertThat(mobileKeys).contains(row.get(1).asText());
            assertThat(row.get(3).isNull() || row.get(3).asText().startsWith("***@")).as(row.toString()).isTrue();
        }
        assertThat(IntStream.range(0, n).mapToObj(i -> r.body().at("/metadata/sources/" + i + "/table").asText()))
                .containsOnly("jira.issues");
        assertThat(r.body().at("/metadata/sources").size()).isEqualTo(n);
    }

    @Test
    void contractorReachesJiraThroughNoShape() {
        for (String sql : List.of(manyReferences(12),
                "WITH github_issues AS (SELECT key FROM jira.issues) SELECT * FROM github_issues",
                "SELECT * FROM (WITH issues AS (SELECT 1 AS x) SELECT * FROM issues) t, jira.issues")) {
            Response r = gw.query(contractor, sql);
            assertThat(r.status()).as(sql + " -> " + r.text()).isIn(400, 403);
            assertNoInternalNames(r);
        }
    }

    @Test
    void aCteNamedLikeAnEngineTableIsRefused() {
        for (String sql : List.of(
                "SELECT * FROM (WITH src_1 AS (SELECT 1 AS x) SELECT * FROM src_1) t, src_1",
                "WITH src_1 AS (SELECT 1 AS x) SELECT * FROM src_1",
                "WITH duckdb_settings AS (SELECT 1 AS x) SELECT * FROM duckdb_settings")) {
            Response r = gw.query(analyst, sql);
            assertThat(r.errorCode()).as(sql + " -> " + r.text()).isEqualTo("UNSUPPORTED_STATEMENT");
            assertNoInternalNames(r, "src_(?!1\\b)\\d+");
        }
    }

    @Test
    void aCteIsVisibleOnlyInItsOwnScope() {
        // The inner CTE shadows pull_requests inside the subquery only: the outer reference is the governed table.
        long mobile = data.pullRequests().stream().filter(pr -> "mobile".equals(data.authorTeams().get(pr.author()))).count();
        Response r = gw.query(analyst, "SELECT (SELECT count(*) FROM (WITH pull_requests AS (SELECT 1 AS x) "
                + "SELECT * FROM pull_requests) t) AS inner_count, count(*) AS outer_count FROM pull_requests");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asLong()).isEqualTo(1);
        assertThat(r.body().at("/rows/0/1").asLong()).isEqualTo(mobile);
    }

    @Test
    void settingsFileNetworkAndCatalogFunctionsAreRefusedBeforeAnythingRuns() {
        for (String sql : List.of(
                "SELECT current_setting('secret_directory')",
                "SELECT current_setting('memory_limit') AS m FROM jira.issues",
                "SELECT * FROM duckdb_settings()",
                "SELECT * FROM duckdb_tables()",
                "SELECT * FROM read_csv('/etc/passwd')",
                "SELECT read_text('/etc/passwd')",
                "SELECT * FROM glob('/*')",
                "SELECT * FROM read_parquet('https://example.com/x.parquet')",
                "SELECT getenv('HOME')",
                "SELECT version()",
                "SELECT current_database()",
                "SELECT nextval('s')",
                "SELECT * FROM query('SELECT 1')",
                "SELECT key FROM jira.issues ORDER BY current_setting('threads')",
                "SELECT key FROM jira.issues WHERE key IN (SELECT current_setting('temp_directory'))",
                "SELECT count(*) FILTER (WHERE current_setting('x') IS NULL) FROM jira.issues",
                "SELECT list_transform([1], x -> current_setting('memory_limit'))",
                "WITH c AS (SELECT current_setting('secret_directory') AS s) SELECT * FROM c",
                "SELECT max(key) OVER (PARTITION BY current_setting('threads')) FROM jira.issues",
                "SELECT pg_catalog.lower('A')")) {
            Response r = gw.query(analyst, sql);
            assertThat(r.errorCode()).as(sql + " -> " + r.text()).isEqualTo("UNSUPPORTED_STATEMENT");
            assertNoInternalNames(r);
        }
        assertThat(gw.query(analyst, "SELECT current_setting('secret_directory')").body().at("/error/function").asText())
                .isEqualTo("current_setting");
    }

    @Test
    void duckDbCatalogRelationsAreRefused() {
        for (String sql : List.of("SELECT * FROM information_schema.tables", "SELECT * FROM sqlite_master",
                "SELECT * FROM duckdb_tables", "SELECT * FROM pg_catalog.pg_settings", "SELECT * FROM pg_settings",
                "SELECT * FROM main.src_1", "SELECT * FROM src_1")) {
            Response r = gw.query(analyst, sql);
            assertThat(r.errorCode()).as(sql + " -> " + r.text()).isEqualTo("UNSUPPORTED_STATEMENT");
            assertNoInternalNames(r, "src_(?!1\\b)\\d+");
        }
    }

    @Test
    void analyticalFunctionsStillAnswer() {
        Response r = gw.query(analyst, "SELECT lower(team_id), count(*), max(length(key)), "
                + "date_trunc('day', min(created_at)), string_agg(DISTINCT status, ',' ORDER BY status), "
                + "row_number() OVER (ORDER BY lower(team_id)), list_transform([1, 2], x -> x + 1), "
                + "coalesce(NULL, 'x'), CAST(count(*) AS VARCHAR), EXTRACT(year FROM min(created_at)), "
                + "split_part(min(assignee_email), '@', 2), current_date IS NOT NULL "
                + "FROM jira.issues GROUP BY team_id");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().get("rows").size()).isEqualTo(1);
    }

    @Test
    void duckDbErrorsNameNoInternalTable() {
        for (String sql : List.of(
                "SELECT x.key FROM jira.issues",
                "SELECT issues.nonexistent FROM jira.issues",
                "SELECT key + 1 FROM jira.issues",
                "SELECT * FROM jira.issues i JOIN jira.issues j USING (nonexistent)",
                "SELECT CAST(key AS no_such_type) FROM jira.issues",
                "SELECT key FROM jira.issues GROUP BY team_id",
                "SELECT jira.issues FROM jira.issues")) {
            Response r = gw.query(analyst, sql);
            assertThat(r.status()).as(sql + " -> " + r.text()).isEqualTo(400);
            assertThat(r.errorCode()).isIn("UNKNOWN_COLUMN", "BAD_REQUEST", "UNSUPPORTED_STATEMENT", "SQL_SYNTAX",
                    "UNKNOWN_TABLE");
            assertNoInternalNames(r);
        }
    }
}
