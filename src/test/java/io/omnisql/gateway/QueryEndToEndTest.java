package io.omnisql.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.DemoData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class QueryEndToEndTest {
    private static final String SEED = "SELECT gh.pr_id, jira.status FROM github.pull_requests gh "
            + "JOIN jira.issues jira ON gh.branch = jira.branch_name WHERE jira.status = \"In Progress\"";
    private static GatewayHarness gw;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        token = gw.token();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void productSheetJoinReturnsEveryLinkedInProgressPullRequest() {
        // An admin is exempt from the team row filters, so every team's linked pull requests count.
        Response r = gw.query(gw.token("root", "platform", "admin", ""), SEED);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        DemoData data = gw.gateway().simulators().data();
        Set<String> inProgressBranches = data.issues().stream()
                .filter(i -> i.status().equals("In Progress") && i.branch() != null)
                .map(DemoData.Issue::branch).collect(Collectors.toSet());
        Set<Long> expected = data.pullRequests().stream()
                .filter(pr -> inProgressBranches.contains(pr.headRef()))
                .map(DemoData.PullRequest::id).collect(Collectors.toSet());
        Set<Long> actual = new HashSet<>();
        for (JsonNode row : r.body().get("rows")) {
            actual.add(row.get(0).asLong());
            assertThat(row.get(1).asText()).isEqualTo("In Progress");
        }
        assertThat(expected).isNotEmpty();
        assertThat(actual).isEqualTo(expected);
        assertThat(r.body().at("/columns/0/name").asText()).isEqualTo("pr_id");
        assertThat(r.body().at("/columns/0/type").asText()).isEqualTo("BIGINT");
        JsonNode meta = r.body().get("metadata");
        assertThat(meta.get("sources")).as("one fetch per table reference").hasSize(2);
        assertThat(meta.get("trace_id").asText()).matches("[0-9a-f]{32}");
        assertThat(meta.get("warnings").toString()).contains("In Progress");
        JsonNode jira = sourceOf(meta, "jira.issues");
        assertThat(jira.get("pushed_filters").toString()).contains("In Progress");
        assertThat(jira.get("rows").asLong()).isLessThan(data.issues().size());
        assertThat(sourceOf(meta, "github.pull_requests").get("rows").asLong()).isEqualTo(data.pullRequests().size());
    }

    @Test
    void repeatedQueryIsServedFromCacheWithItsAge() {
        gw.query(token, "SELECT count(*) FROM jira.issues WHERE status = 'Done'");
        Response again = gw.query(token, "SELECT count(*) FROM jira.issues WHERE status = 'Done'");
        assertThat(again.status()).isEqualTo(200);
        assertThat(sourceOf(again.body().get("metadata"), "jira.issues").get("cache").asText()).isEqualTo("hit");
        assertThat(sourceOf(again.body().get("metadata"), "jira.issues").get("pages").asInt()).isZero();
        Response live = gw.query(token, "SELECT count(*) FROM jira.issues WHERE status = 'Done'", 0);
        assertThat(sourceOf(live.body().get("metadata"), "jira.issues").get("cache").asText()).isEqualTo("miss");
        assertThat(live.body().at("/metadata/freshness_ms").asLong()).isZero();
        assertThat(live.body().at("/rows/0/0").asLong()).isEqualTo(again.body().at("/rows/0/0").asLong());
    }

    @Test
    void explainShowsPushedAndResidualFiltersAndRequestsWithoutFetching() {
        long before = gw.gateway().simulators().stats().githubRequests() + gw.gateway().simulators().stats().jiraRequests();
        Response r = gw.post("/v1/explain", token, "{\"sql\":\"SELECT key FROM jira.issues WHERE status IN ('Done','To Do') "
                + "AND summary LIKE '%crash%' AND project = 'MOB'\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode t = r.body().at("/tables/0");
        assertThat(t.get("pushed_filters").toString()).contains("status IN").contains("project = 'MOB'");
        assertThat(t.get("residual_filters").toString()).contains("LIKE");
        assertThat(t.get("requests").get(0).asText()).contains("/rest/api/3/search/jql").contains("jql=");
        assertThat(t.get("columns").toString()).contains("key");
        assertThat(gw.gateway().simulators().stats().githubRequests() + gw.gateway().simulators().stats().jiraRequests()).isEqualTo(before);
    }

    @Test
    void countStarFetchesOnlyTheColumnsTheStatementNames() {
        Response count = gw.post("/v1/explain", token, "{\"sql\":\"SELECT count(*) FROM jira.issues WHERE project = 'MOB'\"}");
        assertThat(count.body().at("/tables/0/columns").toString()).contains("project").doesNotContain("summary");
        Response star = gw.post("/v1/explain", token, "{\"sql\":\"SELECT * FROM jira.issues WHERE project = 'MOB'\"}");
        assertThat(star.body().at("/tables/0/columns").toString()).contains("summary").contains("assignee");
    }

    @Test
    void badJsonIsBadRequest() {
        Response r = gw.post("/v1/query", token, "{\"sql\": ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("BAD_REQUEST");
        assertThat(r.body().at("/error/trace_id").asText()).matches("[0-9a-f]{32}");
    }

    @Test
    void unknownRequestFieldIsBadRequest() {
        Response r = gw.post("/v1/query", token, "{\"sql\": \"SELECT 1\", \"max_stalness_ms\": 5}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().at("/error/message").asText()).contains("max_stalness_ms");
    }

    @Test
    void syntaxErrorNamesLineAndColumn() {
        Response r = gw.query(token, "SELECT key\nFROM jira.issues WHERE WHERE");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("SQL_SYNTAX");
        assertThat(r.body().at("/error/line").asInt()).isEqualTo(2);
        assertThat(r.body().at("/error/column").asInt()).isGreaterThan(0);
    }

    @Test
    void writesAndSeveralStatementsAreUnsupported() {
        assertThat(gw.query(token, "DELETE FROM jira.issues").errorCode()).isEqualTo("UNSUPPORTED_STATEMENT");
        assertThat(gw.query(token, "SELECT 1; SELECT 2").errorCode()).isEqualTo("UNSUPPORTED_STATEMENT");
        assertThat(gw.query(token, "SELECT * FROM read_csv('/etc/passwd')").errorCode())
                .isIn("UNSUPPORTED_STATEMENT", "UNKNOWN_TABLE");
    }

    @Test
    void unknownTableAndColumnAreNamed() {
        Response table = gw.query(token, "SELECT * FROM gitlab.merge_requests");
        assertThat(table.status()).isEqualTo(400);
        assertThat(table.errorCode()).isEqualTo("UNKNOWN_TABLE");
        assertThat(table.body().at("/error/message").asText()).contains("gitlab.merge_requests");
        Response column = gw.query(token, "SELECT nonexistent_col FROM jira.issues");
        assertThat(column.status()).isEqualTo(400);
        assertThat(column.errorCode()).isEqualTo("UNKNOWN_COLUMN");
        assertThat(column.body().at("/error/message").asText()).contains("nonexistent_col").doesNotContain("src_");
    }

    @Test
    void missingTokenIsUnauthenticatedWithChallenge() {
        Response r = gw.post("/v1/query", null, "{\"sql\":\"SELECT 1\"}");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void unknownRouteAndWrongMethodAnswerInTheErrorVocabulary() {
        assertThat(gw.get("/v2/nothing", token).errorCode()).isEqualTo("NOT_FOUND");
        Response r = gw.get("/v1/query", token);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.errorCode()).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void queriesLeaveNoDuckDbStateBeyondTheCache() {
        gw.query(token, "WITH x AS (SELECT key FROM jira.issues WHERE project = 'WEB') SELECT count(*) FROM x");
        gw.query(token, "SELECT count(*) FROM github.pull_requests p1 JOIN github.pull_requests p2 ON p1.branch = p2.branch");
        List<String> tables = new ArrayList<>(gw.gateway().engine().tables());
        assertThat(tables).allMatch(t -> t.matches("src_\\d+"));
        assertThat((long) tables.size()).isEqualTo(gw.gateway().cache().size());
        gw.gateway().cache().invalidateAll();
        assertThat(gw.gateway().engine().tables()).isEmpty();
    }

    static JsonNode sourceOf(JsonNode metadata, String table) {
        for (JsonNode s : metadata.get("sources")) {
            if (s.get("table").asText().equals(table)) {
                return s;
            }
        }
        throw new AssertionError("no source " + table + " in " + metadata);
    }
}
