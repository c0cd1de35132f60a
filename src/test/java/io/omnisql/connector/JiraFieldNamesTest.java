package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.DemoData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Jira custom fields declared by the names a site shows, resolved to that site's ids from its field list. */
class JiraFieldNamesTest {
    private static final String BY_ID_BRANCH = "branch_name:    {type: VARCHAR,   path: fields.customfield_10050, field: customfield_10050}";
    private static final String BY_ID_TEAM = "path: fields.customfield_10060.value, field: customfield_10060,";
    private static GatewayHarness gw;
    private static String token;
    private static DemoData data;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start((file, text) -> {
            if (!file.equals("catalog.yaml")) {
                return text;
            }
            String t = text.replace("issues: 10000", "issues: 400");
            assertThat(t).contains(BY_ID_BRANCH).contains(BY_ID_TEAM).contains("jql: \"cf[10060]\"");
            return t.replace(BY_ID_BRANCH, "branch_name:    {type: VARCHAR,   field_name: Branch}\n"
                            + "      points:         {type: DOUBLE,    field_name: Story Points}")
                    .replace(BY_ID_TEAM, "field_name: team, path: \"fields.{field}.value\",")
                    .replace("jql: \"cf[10060]\"", "jql: \"{field}\"");
        });
        token = gw.token("ops", "platform", "admin", "");
        data = gw.gateway().simulators().data();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void namesResolveToTheSitesIdsInFieldsJqlAndPathsAndAnswersMatchTheData() {
        long listsBefore = gw.gateway().simulators().stats().jiraFieldLists();
        Response explain = gw.post("/v1/explain", token, GatewayHarness.JSON.createObjectNode()
                .put("sql", "SELECT key, branch_name FROM jira.issues WHERE team_id = 'web' AND project = 'WEB'").toString());
        assertThat(explain.status()).as(explain.text()).isEqualTo(200);
        JsonNode t = explain.body().at("/tables/0");
        String uri = java.net.URLDecoder.decode(t.get("requests").get(0).asText(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(uri).contains("cf[10060] = \"web\"").contains("fields=").contains("customfield_10050");
        assertThat(t.get("pushed_filters").toString()).contains("team_id");

        Response r = gw.query(token, "SELECT key, branch_name FROM jira.issues WHERE team_id = 'web' AND project = 'WEB' ORDER BY key", 0);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        java.util.List<DemoData.Issue> expected = data.issues().stream()
                .filter(i -> "web".equals(i.team()) && i.key().startsWith("WEB-"))
                .sorted(java.util.Comparator.comparing(DemoData.Issue::key)).toList();
        assertThat(r.body().get("rows")).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(r.body().at("/rows/" + i + "/0").asText()).isEqualTo(expected.get(i).key());
            assertThat(r.body().at("/rows/" + i + "/1").isNull() ? null : r.body().at("/rows/" + i + "/1").asText())
                    .isEqualTo(expected.get(i).branch());
        }
        // One field list per site and reload, whatever the number of queries.
        gw.query(token, "SELECT count(*) FROM jira.issues WHERE branch_name IS NOT NULL", 0);
        assertThat(gw.gateway().simulators().stats().jiraFieldLists() - listsBefore).isLessThanOrEqualTo(1);
    }

    @Test
    void anAmbiguousNameIsRefusedNamingTheCandidates() {
        Response r = gw.query(token, "SELECT points FROM jira.issues WHERE project = 'MOB'", 0);
        assertThat(r.errorCode()).as(r.text()).isEqualTo("SOURCE_ERROR");
        assertThat(r.body().at("/error/message").asText()).contains("jira.issues.points").contains("ambiguous")
                .contains("customfield_10070").contains("customfield_10071");
    }

    @Test
    void anUnknownNameIsRefusedAndAReloadReadsTheListAgain() throws Exception {
        long before = gw.gateway().simulators().stats().jiraFieldLists();
        assertThat(gw.edit("catalog.yaml", t -> t.replace("field_name: Branch}", "field_name: Brnach}"))).isTrue();
        Response r = gw.query(token, "SELECT branch_name FROM jira.issues WHERE project = 'MOB'", 0);
        assertThat(r.errorCode()).as(r.text()).isEqualTo("SOURCE_ERROR");
        assertThat(r.body().at("/error/message").asText()).contains("jira.issues.branch_name").contains("no field named 'Brnach'");
        assertThat(gw.gateway().simulators().stats().jiraFieldLists()).isGreaterThan(before);
        assertThat(gw.edit("catalog.yaml", t -> t.replace("field_name: Brnach}", "field_name: Branch}"))).isTrue();
        assertThat(gw.query(token, "SELECT branch_name FROM jira.issues WHERE project = 'MOB' LIMIT 1", 0).status()).isEqualTo(200);
    }
}
