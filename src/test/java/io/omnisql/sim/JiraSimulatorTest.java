package io.omnisql.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class JiraSimulatorTest {

    private static Simulators sims;
    private static URI jira;

    @BeforeAll
    static void start() {
        sims = Simulators.start(SimulatorSettings.fromMap(Map.of(
                "github", Map.of("pull_requests", 1500), "jira", Map.of("issues", 3000))));
        jira = sims.jiraBaseUrl();
    }

    @AfterAll
    static void stop() {
        sims.close();
    }

    private static JsonNode cloud(String jql, String extra) {
        HttpResponse<String> r = Http.get(jira, "/rest/api/3/search/jql?jql=" + Http.enc(jql) + extra);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.json(r);
    }

    private static List<DemoData.Issue> issues() {
        return sims.data().issues();
    }

    @Test
    void nextPageTokenPagingReturnsEveryIssueOfTheProjectExactlyOnce() {
        long expected = issues().stream().filter(i -> i.project().equals("WEB")).count();
        List<String> keys = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            JsonNode page = cloud("project = WEB ORDER BY key ASC",
                    "&fields=summary&maxResults=100" + (token == null ? "" : "&nextPageToken=" + Http.enc(token)));
            page.get("issues").forEach(i -> keys.add(i.get("key").asText()));
            token = page.path("nextPageToken").isMissingNode() ? null : page.get("nextPageToken").asText();
            assertThat(page.get("isLast").asBoolean()).isEqualTo(token == null);
            assertThat(page.has("total")).as("Cloud search has no total").isFalse();
            pages++;
        } while (token != null);
        assertThat(keys).hasSize((int) expected).doesNotHaveDuplicates().allSatisfy(k -> assertThat(k).startsWith("WEB-"));
        assertThat(pages).isEqualTo((int) ((expected + 99) / 100));
        assertThat(keys.subList(0, 3)).containsExactly("WEB-1", "WEB-2", "WEB-3");
    }

    @Test
    void postSearchTakesFieldsAsArrayAndDefaultsToIdOnly() {
        HttpResponse<String> r = Http.postJson(jira, "/rest/api/3/search/jql",
                "{\"jql\":\"project = MOB\",\"fields\":[\"summary\",\"customfield_10050\"],\"maxResults\":5}");
        JsonNode issue = Http.json(r).get("issues").get(0);
        assertThat(issue.get("fields").has("summary")).isTrue();
        assertThat(issue.get("fields").has("customfield_10050")).isTrue();
        assertThat(issue.get("fields").has("status")).isFalse();
        assertThat(issue.get("id").isTextual()).isTrue();

        JsonNode bare = cloud("project = MOB", "&maxResults=3").get("issues").get(0);
        assertThat(bare.size()).isEqualTo(1);
        assertThat(bare.has("id")).isTrue();
    }

    @Test
    void allFieldsHaveJirasShapes() {
        JsonNode fields = cloud("project = PLAT AND assignee IS NOT EMPTY AND Team IS NOT EMPTY", "&fields=*all&maxResults=1")
                .get("issues").get(0).get("fields");
        assertThat(fields.get("status").get("statusCategory").get("key").asText()).isIn("new", "indeterminate", "done");
        assertThat(fields.get("assignee").get("accountId").asText()).hasSize(24);
        assertThat(fields.get("project").get("key").asText()).isEqualTo("PLAT");
        assertThat(fields.get("updated").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.000\\+0000");
        assertThat(fields.get("customfield_10060").get("value").asText()).isEqualTo("platform");
        assertThat(fields.get("customfield_10060").has("id") && fields.get("customfield_10060").has("self")).isTrue();
    }

    @Test
    void quotedStatusWithEscapedQuotesFindsWontFixIssues() {
        long expected = issues().stream().filter(i -> i.status().equals("Won't \"fix\"")).count();
        assertThat(expected).isPositive();
        JsonNode page = Http.json(Http.get(jira, "/rest/api/2/search?maxResults=1000&fields=status&jql="
                + Http.enc("status = \"Won't \\\"fix\\\"\"")));
        assertThat(page.get("total").asInt()).isEqualTo((int) expected);
        page.get("issues").forEach(i ->
                assertThat(i.get("fields").get("status").get("name").asText()).isEqualTo("Won't \"fix\""));
    }

    @Test
    void injectionAttemptInsideQuotesStaysALiteral() {
        JsonNode page = cloud("project = MOB AND summary ~ \"x\\\" OR project = \\\"WEB\"", "&fields=summary");
        assertThat(page.get("issues")).isEmpty();
        HttpResponse<String> r = Http.get(jira, "/rest/api/3/search/jql?jql="
                + Http.enc("project = \"x\\\" OR project = \\\"WEB\""));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Http.json(r).get("errorMessages").get(0).asText())
                .isEqualTo("The value 'x\" OR project = \"WEB' does not exist for the field 'project'.");
    }

    @Test
    void equalsIsCaseInsensitiveAndNegationSkipsEmptyFields() {
        long inProgress = issues().stream().filter(i -> i.project().equals("MOB") && i.status().equals("In Progress")).count();
        assertThat(dcTotal("project = mob AND status = \"in progress\"")).isEqualTo(inProgress);
        long assignedElsewhere = issues().stream()
                .filter(i -> i.project().equals("MOB") && i.assignee() != null && !i.assignee().equals("amelia-r")).count();
        String amelia = sims.data().person("amelia-r").orElseThrow().accountId();
        assertThat(dcTotal("project = MOB AND assignee != " + amelia)).isEqualTo(assignedElsewhere);
    }

    @Test
    void inListsDatesOrOrderingAndEmptinessCombine() {
        long expected = issues().stream().filter(i -> (i.project().equals("WEB") || i.project().equals("PLAT"))
                && i.branch() == null && i.created().isBefore(java.time.Instant.parse("2024-06-01T00:00:00Z"))
                && (i.status().equals("Done") || i.status().equals("To Do"))).count();
        assertThat(dcTotal("project IN (WEB, \"PLAT\") AND cf[10050] IS EMPTY AND created < \"2024/06/01 00:00\""
                + " AND (status = Done OR status = 'To Do') ORDER BY updated DESC")).isEqualTo(expected);

        JsonNode page = Http.json(Http.get(jira, "/rest/api/2/search?maxResults=50&fields=updated&jql="
                + Http.enc("project = WEB ORDER BY updated DESC, key ASC")));
        List<String> updated = new ArrayList<>();
        page.get("issues").forEach(i -> updated.add(i.get("fields").get("updated").asText()));
        assertThat(updated).isSortedAccordingTo((a, b) -> b.compareTo(a));
    }

    @Test
    void branchFieldMatchesLinkedIssue() {
        DemoData.Issue linked = issues().stream().filter(i -> i.branch() != null).findFirst().orElseThrow();
        JsonNode page = cloud("project = " + linked.project() + " AND customfield_10050 = \"" + linked.branch() + "\"",
                "&fields=customfield_10050");
        assertThat(page.get("issues")).hasSize(1);
        assertThat(page.get("issues").get(0).get("key").asText()).isEqualTo(linked.key());
    }

    @Test
    void dataCenterSearchPagesWithStartAtAndTotal() {
        long expected = issues().stream().filter(i -> i.project().equals("PLAT")).count();
        Set<String> keys = new HashSet<>();
        for (int startAt = 0; startAt < expected; startAt += 250) {
            JsonNode page = Http.json(Http.postJson(jira, "/rest/api/2/search",
                    "{\"jql\":\"project = PLAT\",\"startAt\":" + startAt + ",\"maxResults\":250,\"fields\":[\"summary\"]}"));
            assertThat(page.get("startAt").asInt()).isEqualTo(startAt);
            assertThat(page.get("total").asLong()).isEqualTo(expected);
            page.get("issues").forEach(i -> keys.add(i.get("key").asText()));
        }
        assertThat(keys).hasSize((int) expected);
    }

    @Test
    void badJqlUnknownFieldsAndUnboundedQueriesAnswer400() {
        assertThat(error("/rest/api/3/search/jql?jql=" + Http.enc("project = MOB AND")))
                .startsWith("Error in the JQL Query: Expecting a field name but got end of query.");
        assertThat(error("/rest/api/3/search/jql?jql=" + Http.enc("project = MOB AND colour = red")))
                .isEqualTo("Field 'colour' does not exist or you do not have permission to view it.");
        assertThat(error("/rest/api/3/search/jql?jql=" + Http.enc("status = Done ORDER BY created")))
                .startsWith("Unbounded JQL queries are not allowed");
        assertThat(error("/rest/api/3/search/jql?jql=" + Http.enc("project = MOB OR status = Done")))
                .startsWith("Unbounded JQL queries are not allowed");
        assertThat(error("/rest/api/3/search/jql?jql=" + Http.enc("project = MOB AND summary = crash")))
                .isEqualTo("The operator '=' is not supported by the 'summary' field.");
        assertThat(error("/rest/api/2/search?jql=" + Http.enc("updated > \"yesterday\"")))
                .startsWith("Date value 'yesterday' for field 'updated' is invalid.");
    }

    @Test
    void legacyCloudSearchIsGone() {
        HttpResponse<String> r = Http.get(jira, "/rest/api/3/search?jql=project%3DMOB");
        assertThat(r.statusCode()).isEqualTo(410);
        assertThat(Http.json(r).get("errorMessages").get(0).asText()).contains("/rest/api/3/search/jql");
    }

    @Test
    void maxResultsIsCappedAtOneHundredOnCloud() {
        assertThat(cloud("project = MOB", "&maxResults=500&fields=key").get("issues")).hasSize(100);
    }

    private static long dcTotal(String jql) {
        HttpResponse<String> r = Http.get(jira, "/rest/api/2/search?maxResults=0&jql=" + Http.enc(jql));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.json(r).get("total").asLong();
    }

    private static String error(String pathAndQuery) {
        HttpResponse<String> r = Http.get(jira, pathAndQuery);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode body = Http.json(r);
        assertThat(body.get("errors").isObject()).isTrue();
        return body.get("errorMessages").get(0).asText();
    }
}
