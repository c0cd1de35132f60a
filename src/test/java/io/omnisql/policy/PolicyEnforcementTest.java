package io.omnisql.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.DemoData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped policies.yaml enforced through HTTP: every expectation is computed from the simulators' demo data,
 * so a leaking filter or mask changes a row set and fails a test.
 */
class PolicyEnforcementTest {
    private static GatewayHarness gw;
    private static DemoData data;
    private static Map<String, String> authorTeams;
    private static Map<String, String> emails;
    /** A mobile author with pull requests: their e-mail exists in the data the analyst's table is built from. */
    private static String mobileEmail;
    private static String analyst;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        data = gw.gateway().simulators().data();
        authorTeams = data.authorTeams();
        emails = data.people().stream().collect(Collectors.toMap(DemoData.Person::login, DemoData.Person::email));
        mobileEmail = emails.get(prsOf("mobile").get(0).author());
        analyst = gw.token("alice", "mobile", "analyst", "");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static List<DemoData.PullRequest> prsOf(String team) {
        return data.pullRequests().stream().filter(pr -> team.equals(authorTeams.get(pr.author()))).toList();
    }

    private static Set<Long> prIdsOf(String team) {
        return prsOf(team).stream().map(DemoData.PullRequest::id).collect(Collectors.toSet());
    }

    private static Set<String> issueKeysOf(String team) {
        return data.issues().stream().filter(i -> team.equals(i.team())).map(DemoData.Issue::key).collect(Collectors.toSet());
    }

    private static Response ok(String token, String sql) {
        Response r = gw.query(token, sql);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r;
    }

    private static List<String> column(Response r, int i) {
        List<String> out = new ArrayList<>();
        for (JsonNode row : r.body().get("rows")) {
            out.add(row.get(i).isNull() ? null : row.get(i).asText());
        }
        return out;
    }

    private static long single(Response r) {
        return r.body().at("/rows/0/0").asLong();
    }

    private static Set<Long> ids(Response r) {
        return column(r, 0).stream().map(Long::parseLong).collect(Collectors.toSet());
    }

    @Test
    void rowFilterHidesOtherTeamsRows() {
        Response prs = ok(analyst, "SELECT pr_id, team_id FROM github.pull_requests");
        assertThat(prIdsOf("mobile")).isNotEmpty().hasSizeLessThan(data.pullRequests().size());
        assertThat(ids(prs)).isEqualTo(prIdsOf("mobile"));
        assertThat(column(prs, 1)).containsOnly("mobile");
        Response issues = ok(analyst, "SELECT key FROM jira.issues");
        assertThat(new HashSet<>(column(issues, 0))).isEqualTo(issueKeysOf("mobile"));
    }

    @Test
    void predicatesCannotReachOtherTeamsRows() {
        assertThat(single(ok(analyst, "SELECT count(*) FROM github.pull_requests WHERE team_id = 'web'"))).isZero();
        assertThat(ids(ok(analyst, "SELECT pr_id FROM github.pull_requests WHERE team_id = 'web' OR TRUE")))
                .isEqualTo(prIdsOf("mobile"));
        assertThat(single(ok(analyst, "SELECT count(*) FROM jira.issues WHERE team_id IN ('web', 'platform') OR team_id IS NULL")))
                .isZero();
    }

    @Test
    void rowFilterIsPushedToJiraAndAppliedAgain() {
        Response r = ok(analyst, "SELECT count(*) FROM jira.issues");
        JsonNode jira = r.body().at("/metadata/sources/0");
        assertThat(jira.get("pushed_filters").toString()).contains("team_id = 'mobile'");
        assertThat(jira.get("rows").asLong()).isLessThan(data.issues().size());
        assertThat(single(r)).isEqualTo(issueKeysOf("mobile").size());
    }

    @Test
    void equalityOnMaskedEmailRevealsNothing() {
        assertThat(prsOf("mobile").stream().filter(pr -> emails.get(pr.author()).equals(mobileEmail))).isNotEmpty();
        assertThat(single(ok(analyst, "SELECT count(*) FROM github.pull_requests WHERE author_email = '" + mobileEmail + "'")))
                .isZero();
        assertThat(single(ok(analyst, "SELECT count(*) FROM github.pull_requests WHERE lower(author_email) = '" + mobileEmail + "'")))
                .isZero();
    }

    @Test
    void likeAndGroupByOnMaskedEmailSeeOnlyMaskedValues() {
        String local = mobileEmail.substring(0, mobileEmail.indexOf('@'));
        assertThat(single(ok(analyst, "SELECT count(*) FROM github.pull_requests WHERE author_email LIKE '" + local + "%'")))
                .isZero();
        assertThat(single(ok(analyst, "SELECT count(*) FROM github.pull_requests WHERE author_email LIKE '%@acme.example'")))
                .isEqualTo(prIdsOf("mobile").size());
        Response grouped = ok(analyst, "SELECT author_email, count(*) FROM github.pull_requests GROUP BY author_email");
        assertThat(column(grouped, 0)).containsExactly("***@acme.example");
        assertThat(single(ok(analyst, "SELECT count(DISTINCT author_email) FROM github.pull_requests"))).isEqualTo(1);
    }

    @Test
    void joinsOnMaskedColumnsCompareMaskedValues() {
        Response r = ok(analyst, "SELECT p.author_email, i.assignee_email FROM github.pull_requests p "
                + "JOIN jira.issues i ON p.author_email = i.assignee_email LIMIT 50");
        assertThat(column(r, 0)).allMatch(e -> e.startsWith("***@"));
        assertThat(column(r, 1)).allMatch(e -> e.startsWith("***@"));
        // A join cannot bring in another team's rows either.
        Response t = ok(analyst, "SELECT DISTINCT p.team_id, i.team_id FROM github.pull_requests p JOIN jira.issues i ON p.branch = i.branch_name");
        for (JsonNode row : t.body().get("rows")) {
            assertThat(row.get(0).asText()).isEqualTo("mobile");
            assertThat(row.get(1).asText()).isEqualTo("mobile");
        }
    }

    @Test
    void cteSubqueryAndAliasesSeeGovernedValues() {
        String where = " = '" + mobileEmail + "'";
        assertThat(single(ok(analyst, "WITH x AS (SELECT * FROM github.pull_requests) SELECT count(*) FROM x WHERE author_email" + where)))
                .isZero();
        Response cte = ok(analyst, "WITH x AS (SELECT * FROM github.pull_requests) SELECT DISTINCT team_id, author_email FROM x");
        assertThat(column(cte, 0)).containsOnly("mobile");
        assertThat(column(cte, 1)).containsOnly("***@acme.example");
        assertThat(single(ok(analyst, "SELECT count(*) FROM (SELECT author_email AS e FROM github.pull_requests) t WHERE t.e" + where)))
                .isZero();
        assertThat(single(ok(analyst, "SELECT count(*) FROM github.pull_requests WHERE pr_id IN "
                + "(SELECT pr_id FROM github.pull_requests p WHERE p.author_email" + where + ")"))).isZero();
        assertThat(column(ok(analyst, "SELECT p.author_email AS mail FROM github.pull_requests AS p LIMIT 20"), 0))
                .allMatch(e -> e.equals("***@acme.example"));
    }

    @Test
    void caseAndQuotingTricksReachTheSameMaskedColumn() {
        for (String name : List.of("AUTHOR_EMAIL", "\"author_email\"", "\"AUTHOR_EMAIL\"", "Author_Email")) {
            Response r = ok(analyst, "SELECT DISTINCT " + name + " FROM github.pull_requests");
            assertThat(column(r, 0)).as(name).containsExactly("***@acme.example");
        }
    }

    @Test
    void selectStarIsGovernedToo() {
        // A per-row column (author_email costs a call per row) joins SELECT * only when the statement names it.
        Response r = ok(analyst, "SELECT * FROM github.pull_requests WHERE author_email IS NOT NULL OR pr_id IS NOT NULL");
        List<String> names = new ArrayList<>();
        r.body().get("columns").forEach(c -> names.add(c.get("name").asText()));
        int email = names.indexOf("author_email");
        int team = names.indexOf("team_id");
        assertThat(email).isNotNegative();
        assertThat(column(r, email)).containsOnly("***@acme.example");
        assertThat(column(r, team)).containsOnly("mobile");
        assertThat(r.body().get("rows").size()).isEqualTo(prIdsOf("mobile").size());
    }

    @Test
    void selfJoinUnionScalarSubqueryAndWindowSeeOnlyGovernedRows() {
        int mobile = prIdsOf("mobile").size();
        assertThat(single(ok(analyst, "SELECT count(*) FROM github.pull_requests a JOIN github.pull_requests b ON a.pr_id = b.pr_id")))
                .isEqualTo(mobile);
        Response union = ok(analyst, "SELECT author_email FROM github.pull_requests UNION SELECT assignee_email FROM jira.issues");
        assertThat(column(union, 0)).allMatch(e -> e == null || e.equals("***@acme.example"));
        Response scalar = ok(analyst, "SELECT (SELECT count(*) FROM github.pull_requests), "
                + "(SELECT max(author_email) FROM github.pull_requests WHERE author_email <> '***@acme.example')");
        assertThat(scalar.body().at("/rows/0/0").asLong()).isEqualTo(mobile);
        assertThat(scalar.body().at("/rows/0/1").isNull()).isTrue();
        Response window = ok(analyst, "SELECT team_id, count(*) OVER () FROM github.pull_requests LIMIT 5");
        assertThat(column(window, 0)).containsOnly("mobile");
        assertThat(window.body().at("/rows/0/1").asLong()).isEqualTo(mobile);
    }

    @Test
    void principalWithoutTeamSeesNothing() {
        String noTeam = gw.token("drifter", null, "analyst", "");
        assertThat(single(ok(noTeam, "SELECT count(*) FROM github.pull_requests"))).isZero();
        Response r = ok(noTeam, "SELECT count(*) FROM jira.issues");
        assertThat(single(r)).isZero();
        assertThat(r.body().at("/metadata/policies").toString()).contains("fail closed");
    }

    @Test
    void quotesInATeamClaimStayInsideTheLiteral() {
        String sly = gw.token("mallory", "mobile' OR '1'='1", "analyst", "");
        assertThat(single(ok(sly, "SELECT count(*) FROM github.pull_requests"))).isZero();
        assertThat(single(ok(sly, "SELECT count(*) FROM jira.issues"))).isZero();
    }

    @Test
    void adminSeesEveryTeamButEmailsStayMasked() {
        String admin = gw.token("root", "platform", "admin", "");
        assertThat(single(ok(admin, "SELECT count(*) FROM github.pull_requests"))).isEqualTo(data.pullRequests().size());
        assertThat(single(ok(admin, "SELECT count(*) FROM jira.issues"))).isEqualTo(data.issues().size());
        assertThat(column(ok(admin, "SELECT DISTINCT author_email FROM github.pull_requests"), 0)).containsExactly("***@acme.example");
    }

    @Test
    void piiScopeSeesRealEmails() {
        String pii = gw.token("dpo", "mobile", "analyst", "PII_ACCESS");
        Set<String> expected = prsOf("mobile").stream().map(pr -> emails.get(pr.author())).collect(Collectors.toSet());
        Response r = ok(pii, "SELECT DISTINCT author_email FROM github.pull_requests");
        assertThat(new HashSet<>(column(r, 0))).isEqualTo(expected);
        long own = prsOf("mobile").stream().filter(pr -> emails.get(pr.author()).equals(mobileEmail)).count();
        assertThat(single(ok(pii, "SELECT count(*) FROM github.pull_requests WHERE author_email = '" + mobileEmail + "'")))
                .isEqualTo(own);
        assertThat(r.body().at("/metadata/policies").toString()).doesNotContain("mask");
    }

    @Test
    void contractorIsDeniedJiraIssuesNamingTheRule() {
        String contractor = gw.token("carl", "mobile", "contractor", "");
        Response r = gw.query(contractor, "SELECT key FROM jira.issues");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("ENTITLEMENT_DENIED");
        assertThat(r.body().at("/error/table").asText()).isEqualTo("jira.issues");
        assertThat(r.body().at("/error/rule").asText()).isEqualTo("contractors_no_jira");
        assertThat(r.body().at("/error/message").asText()).contains("contractors_no_jira");
        assertThat(gw.query(contractor, "SELECT p.pr_id FROM github.pull_requests p JOIN jira.issues i ON p.branch = i.branch_name")
                .status()).isEqualTo(403);
        assertThat(single(ok(contractor, "SELECT count(*) FROM github.pull_requests"))).isEqualTo(prIdsOf("mobile").size());
    }

    @Test
    void qaIsDeniedDiffLinkWhenNamedAndSelectStarLeavesItOut() {
        String qa = gw.token("quinn", "mobile", "qa", "");
        for (String sql : List.of("SELECT diff_link FROM github.pull_requests",
                "SELECT count(*) FROM github.pull_requests WHERE \"DIFF_LINK\" LIKE '%1%'",
                "WITH x AS (SELECT * FROM github.pull_requests) SELECT diff_link FROM x")) {
            Response r = gw.query(qa, sql);
            assertThat(r.status()).as(sql).isEqualTo(403);
            assertThat(r.errorCode()).isEqualTo("ENTITLEMENT_DENIED");
            assertThat(r.body().at("/error/column").asText()).isEqualTo("diff_link");
            assertThat(r.body().at("/error/rule").asText()).isEqualTo("qa_no_diff");
            assertThat(r.body().at("/error/message").asText()).contains("diff_link").contains("qa_no_diff");
        }
        Response star = ok(qa, "SELECT * FROM github.pull_requests");
        assertThat(star.body().get("columns").toString()).doesNotContain("diff_link").contains("html_url");
        assertThat(star.body().at("/metadata/policies").toString()).contains("diff_link left out");
        // Others still read it.
        assertThat(ok(analyst, "SELECT diff_link FROM github.pull_requests LIMIT 1").body().at("/rows/0/0").asText()).contains("diff");
    }

    @Test
    void metadataListsTheFiltersAndMasksThatShapedTheAnswer() {
        Response r = ok(analyst, "SELECT title, author_email FROM github.pull_requests LIMIT 1");
        String policies = r.body().at("/metadata/policies").toString();
        assertThat(policies).contains("row filter own_team on github.pull_requests").contains("'mobile'")
                .contains("mask partial on github.pull_requests.author_email");
        Response plain = ok(analyst, "SELECT title FROM github.pull_requests LIMIT 1");
        assertThat(plain.body().at("/metadata/policies").toString()).contains("own_team").doesNotContain("mask");
    }

    @Test
    void catalogListsOnlyWhatTheCallerMaySee() {
        Response r = gw.get("/v1/catalog", analyst);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode pulls = table(r, "github.pull_requests");
        assertThat(pulls.get("description").asText()).contains("Pull requests");
        assertThat(pulls.get("row_filtered").asBoolean()).isTrue();
        assertThat(columnOf(pulls, "author_email").get("masked").asBoolean()).isTrue();
        assertThat(columnOf(pulls, "repo").get("masked").asBoolean()).isFalse();
        assertThat(columnOf(pulls, "repo").get("type").asText()).isEqualTo("VARCHAR");
        assertThat(columnOf(pulls, "repo").get("pushdown").toString()).contains("=").contains("IN");
        assertThat(columnOf(pulls, "diff_link")).isNotNull();
        assertThat(table(r, "jira.issues")).isNotNull();

        Response qa = gw.get("/v1/catalog", gw.token("quinn", "mobile", "qa", ""));
        assertThat(table(qa, "github.pull_requests").get("columns").toString()).doesNotContain("diff_link");
        Response contractor = gw.get("/v1/catalog", gw.token("carl", "mobile", "contractor", ""));
        assertThat(contractor.body().get("tables").toString()).doesNotContain("jira.issues").contains("github.pull_requests");
        Response admin = gw.get("/v1/catalog", gw.token("root", "web", "admin", "PII_ACCESS"));
        assertThat(table(admin, "jira.issues").get("row_filtered").asBoolean()).isFalse();
        assertThat(columnOf(table(admin, "jira.issues"), "assignee_email").get("masked").asBoolean()).isFalse();

        assertThat(gw.get("/v1/catalog", null).status()).isEqualTo(401);
        assertThat(gw.post("/v1/catalog", analyst, "{}").status()).isEqualTo(405);
    }

    private static JsonNode table(Response r, String name) {
        for (JsonNode t : r.body().get("tables")) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no table " + name + " in " + r.text());
    }

    private static JsonNode columnOf(JsonNode table, String name) {
        for (JsonNode c : table.get("columns")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no column " + name + " in " + table);
    }
}
