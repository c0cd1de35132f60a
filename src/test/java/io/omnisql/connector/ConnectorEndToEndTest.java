package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.DemoData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GitHub and Jira (Cloud and Data Center) tables through the whole gateway against the simulators. */
class ConnectorEndToEndTest {
    private static GatewayHarness gw;
    private static String token;
    private static DemoData data;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml")
                ? text.replace("pull_requests: 5000", "pull_requests: 1200").replace("issues: 10000", "issues: 1500")
                : text);
        token = gw.token("ops", "platform", "admin", ""); // admins are exempt from the team row filters
        data = gw.gateway().simulators().data();
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

    private static List<String> requests(JsonNode table) {
        List<String> out = new ArrayList<>();
        table.get("requests").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void pullRequestsSpanEveryRepositoryAndStateAsConcurrentStreams() {
        Response r = gw.query(token, "SELECT count(*), count(DISTINCT repo), count(DISTINCT pr_id) FROM github.pull_requests", 0);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asInt()).isEqualTo(data.pullRequests().size());
        assertThat(r.body().at("/rows/0/1").asInt()).isEqualTo(4);
        assertThat(r.body().at("/rows/0/2").asInt()).isEqualTo(data.pullRequests().size());
        List<String> streams = requests(explain("SELECT title FROM github.pull_requests"));
        assertThat(streams).hasSize(8).allMatch(u -> u.contains("state=open") || u.contains("state=closed"));
    }

    @Test
    void repoAndStatePredicatesNarrowTheStreams() {
        List<String> streams = requests(explain("SELECT title FROM github.pull_requests "
                + "WHERE repo IN ('acme/web-app', 'acme/infra') AND state = 'open'"));
        assertThat(streams).hasSize(2).allMatch(u -> u.contains("state=open"))
                .anyMatch(u -> u.contains("/repos/acme/web-app/pulls")).anyMatch(u -> u.contains("/repos/acme/infra/pulls"));
        Response r = gw.query(token, "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/web-app' AND state = 'open'", 0);
        long expected = data.pullRequests().stream()
                .filter(p -> p.repo().fullName().equals("acme/web-app") && p.state().equals("open")).count();
        assertThat(r.body().at("/rows/0/0").asLong()).isEqualTo(expected);
        assertThat(r.body().at("/metadata/sources/0/pages").asInt()).isEqualTo((int) Math.max(1, (expected + 99) / 100));
    }

    @Test
    void baseAndHeadLabelPushDownExactlyAndBareBranchStaysResidual() {
        DemoData.PullRequest pr = data.pullRequests().get(17);
        JsonNode t = explain("SELECT pr_id FROM github.pull_requests WHERE head_label = 'acme:" + pr.headRef()
                + "' AND base_branch = '" + pr.baseRef() + "' AND branch = '" + pr.headRef() + "'");
        assertThat(t.get("pushed_filters").toString()).contains("head_label").contains("base_branch");
        assertThat(t.get("residual_filters").toString()).contains("branch = ");
        assertThat(requests(t).get(0)).contains("head=acme%3A").contains("base=");
        Response r = gw.query(token, "SELECT pr_id FROM github.pull_requests WHERE head_label = 'acme:" + pr.headRef()
                + "' AND base_branch = '" + pr.baseRef() + "'", 0);
        Set<Long> ids = new HashSet<>();
        r.body().get("rows").forEach(row -> ids.add(row.get(0).asLong()));
        Set<Long> expected = new HashSet<>();
        data.pullRequests().stream().filter(p -> p.headRef().equals(pr.headRef()) && p.baseRef().equals(pr.baseRef()))
                .forEach(p -> expected.add(p.id()));
        assertThat(ids).isEqualTo(expected).contains(pr.id());
    }

    @Test
    void githubIssuesTableDeclaredInYamlAloneListsIssuesWithCreatorPushdown() {
        Response all = gw.query(token, "SELECT count(*), count(pull_request_url) FROM github.issues", 0);
        assertThat(all.status()).as(all.text()).isEqualTo(200);
        assertThat(all.body().at("/rows/0/0").asInt()).isEqualTo(data.pullRequests().size());
        assertThat(all.body().at("/rows/0/1").asInt()).isEqualTo(data.pullRequests().size());
        String login = data.pullRequests().get(3).author();
        JsonNode t = explain("SELECT number FROM github.issues WHERE author = '" + login + "' AND state = 'closed'");
        assertThat(requests(t)).hasSize(4).allMatch(u -> u.contains("creator=" + login) && u.contains("state=closed"));
        Response mine = gw.query(token, "SELECT count(*) FROM github.issues WHERE author = '" + login + "'", 0);
        assertThat(mine.body().at("/rows/0/0").asLong())
                .isEqualTo(data.pullRequests().stream().filter(p -> p.author().equals(login)).count());
    }

    @Test
    void jiraCloudAndDataCenterServeTheSameIssues() {
        String sql = "SELECT key, status, team_id, created_at FROM %s WHERE project = 'WEB' ORDER BY key";
        Response cloud = gw.query(token, sql.formatted("jira.issues"), 0);
        Response dc = gw.query(token, sql.formatted("jira_dc.issues"), 0);
        assertThat(cloud.status()).as(cloud.text()).isEqualTo(200);
        assertThat(dc.status()).as(dc.text()).isEqualTo(200);
        assertThat(dc.body().get("rows")).isEqualTo(cloud.body().get("rows"));
        assertThat(cloud.body().get("rows").size())
                .isEqualTo((int) data.issues().stream().filter(i -> i.project().equals("WEB")).count());
        assertThat(requests(explain(sql.formatted("jira_dc.issues"))).get(0)).contains("/rest/api/2/search");
    }

    /** Search pages of 100 that the per-project streams take for every issue. */
    private static int pagesPerProjectStream() {
        return data.issues().stream().collect(java.util.stream.Collectors.groupingBy(i -> i.project(),
                java.util.stream.Collectors.counting())).values().stream().mapToInt(n -> (int) ((n + 99) / 100)).sum();
    }

    @Test
    void jiraIssuesAreReadAsOneConcurrentStreamPerProjectThatProjectFiltersNarrow() throws Exception {
        List<String> all = requests(explain("SELECT key FROM jira.issues"));
        assertThat(all).hasSize(3);
        for (String project : List.of("MOB", "WEB", "PLAT")) {
            assertThat(all).filteredOn(u -> java.net.URLDecoder.decode(u, java.nio.charset.StandardCharsets.UTF_8)
                    .contains("(project in (MOB, WEB, PLAT)) AND project = \"" + project + "\" ORDER BY key ASC")).hasSize(1);
        }
        assertThat(requests(explain("SELECT key FROM jira.issues WHERE project = 'WEB'")))
                .singleElement().satisfies(u -> assertThat(u).contains("AND%20project%20%3D%20%22WEB%22"));
        assertThat(requests(explain("SELECT key FROM jira.issues WHERE project IN ('WEB', 'NOPE')"))).hasSize(1);

        Response none = gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'NOPE'", 0);
        assertThat(none.body().at("/rows/0/0").asLong()).isZero();
        assertThat(none.body().at("/metadata/sources/0/pages").asInt()).isZero();

        Response r = gw.query(token, "SELECT count(DISTINCT key) FROM jira.issues", 0);
        assertThat(r.body().at("/rows/0/0").asInt()).as(r.text()).isEqualTo(data.issues().size());
        assertThat(r.body().at("/metadata/sources/0/pages").asInt()).isEqualTo(pagesPerProjectStream());

        // A jql fan-out needs the table's JQL to add its clause to: the edit is refused, the old catalog serves.
        String states = "      - {param: state, column: state, values: [open, closed]}\n";
        String withJql = states + "      - {jql: project, column: repo, values: [x]}\n";
        assertThat(gw.edit("catalog.yaml", text -> text.replace(states, withJql))).isFalse();
        assertThat(gw.edit("catalog.yaml", text -> text.replace(withJql, states))).isTrue();
    }

    @Test
    void dataCenterPagesAfterTheFirstAreFetchedByStartAt() {
        long before = gw.gateway().simulators().stats().jiraDcSearchPages();
        Response r = gw.query(token, "SELECT count(DISTINCT key) FROM jira_dc.issues", 0);
        assertThat(r.body().at("/rows/0/0").asInt()).isEqualTo(data.issues().size());
        int pages = pagesPerProjectStream();
        assertThat(r.body().at("/metadata/sources/0/pages").asInt()).isEqualTo(pages);
        assertThat(gw.gateway().simulators().stats().jiraDcSearchPages() - before).isEqualTo(pages);
    }

    @Test
    void statusWithQuoteAndDoubleQuotesIsQuotedAndMatches() {
        String status = DemoData.STATUSES.stream().filter(s -> s.contains("\"")).findFirst().orElseThrow();
        long expected = data.issues().stream().filter(i -> i.status().equals(status)).count();
        String sqlLiteral = "'" + status.replace("'", "''") + "'";
        for (String table : List.of("jira.issues", "jira_dc.issues")) {
            Response r = gw.query(token, "SELECT count(*), min(status), max(status) FROM " + table
                    + " WHERE status = " + sqlLiteral, 0);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.body().at("/rows/0/0").asLong()).isEqualTo(expected).isPositive();
            assertThat(r.body().at("/rows/0/1").asText()).isEqualTo(status);
            assertThat(r.body().at("/metadata/sources/0/pushed_filters").toString()).contains("status");
        }
        assertThat(requests(explain("SELECT key FROM jira.issues WHERE status = " + sqlLiteral)).get(0))
                .contains(java.net.URLEncoder.encode("status = \"Won't \\\"fix\\\"\"", java.nio.charset.StandardCharsets.UTF_8)
                        .replace("+", "%20"));
    }

    @Test
    void injectedJqlIsQuotedNotExecuted() throws Exception {
        // The shipped catalog pushes only known statuses; without that list every value reaches JQL, quoted.
        String restricted = "{jql: status, values: &statuses [To Do, In Progress, In Review, Done, \"Won't \\\"fix\\\"\"]}, "
                + "IN: {jql: status, values: *statuses}";
        assertThat(gw.edit("catalog.yaml", text -> text.replace(restricted, "{jql: status}, IN: {jql: status}"))).isTrue();
        try {
            String injected = "x\" OR project = \"WEB";
            JsonNode t = explain("SELECT key FROM jira.issues WHERE status = '" + injected + "'");
            String url = java.net.URLDecoder.decode(requests(t).get(0), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(url).contains("status = \"x\\\" OR project = \\\"WEB\"");
            Response r = gw.query(token, "SELECT count(*) FROM jira.issues WHERE status = '" + injected + "'", 0);
            // Jira validates status values: the whole text arrived as one value, so Jira names it as unknown
            // (executed, the OR would have returned the WEB issues).
            assertThat(r.status()).as(r.text()).isEqualTo(502);
            assertThat(r.body().at("/error/upstream_status").asInt()).isEqualTo(400);
            assertThat(r.body().at("/error/message").asText())
                    .contains("The value '" + injected + "' does not exist for the field 'status'");
        } finally {
            assertThat(gw.edit("catalog.yaml", text -> text.replace("{jql: status}, IN: {jql: status}", restricted))).isTrue();
        }
    }

    @Test
    void valuesJiraWouldRejectStayResidualSoTheAnswerIsEmptyNotAnError() {
        JsonNode t = explain("SELECT key FROM jira.issues WHERE status = 'x\" OR project = \"WEB' AND key = 'nonsense'");
        assertThat(t.get("pushed_filters")).isEmpty();
        Response r = gw.query(token, "SELECT count(*) FROM jira.issues WHERE status = 'No such status'", 0);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body().at("/rows/0/0").asLong()).isZero();
    }

    @Test
    void customFieldPushesByIdAndDatesBecomeJqlRanges() {
        JsonNode t = explain("SELECT key FROM jira.issues WHERE team_id = 'web' AND created_at >= '2025-03-01 10:30:00'");
        String url = java.net.URLDecoder.decode(requests(t).get(0), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(url).contains("cf[10060] = \"web\"").contains("created >= \"2025-03-01 10:30\"")
                .contains("fields=").contains("customfield_10060");
        Response r = gw.query(token, "SELECT count(*) FROM jira.issues WHERE team_id = 'web' "
                + "AND created_at >= TIMESTAMP '2025-03-01 10:30:00'", 0);
        long expected = data.issues().stream().filter(i -> "web".equals(i.team())
                && !i.created().isBefore(java.time.Instant.parse("2025-03-01T10:30:00Z"))).count();
        assertThat(r.body().at("/rows/0/0").asLong()).isEqualTo(expected);
    }
}
