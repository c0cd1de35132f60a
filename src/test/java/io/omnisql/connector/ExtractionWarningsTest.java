package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** No silent NULLs: a path no row carries, values that do not convert, a pushed filter on an unseen column. */
class ExtractionWarningsTest {
    private static GatewayHarness gw;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml") ? text
                .replace("pull_requests: 5000", "pull_requests: 300").replace("issues: 10000", "issues: 300")
                .replace("      title:       {type: VARCHAR,   path: title}\n",
                        "      title:       {type: VARCHAR,   path: title}\n"
                                + "      reviewer:    {type: VARCHAR,   path: requested_reviewer.login, pushdown: {\"=\": {param: reviewer}}}\n"
                                + "      title_num:   {type: BIGINT,    path: title}\n"
                                + "      num_text:    {type: BIGINT,    path: number}\n")
                : text);
        token = gw.token("ops", "platform", "admin", "");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static List<String> warnings(Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        r.body().at("/metadata/warnings").forEach(w -> out.add(w.asText()));
        return out;
    }

    @Test
    void aPathNoRowCarriesAndValuesThatDoNotConvertAreWarnedWithCounts() {
        Response r = gw.query(token, "SELECT reviewer, title_num, num_text, title FROM github.pull_requests "
                + "WHERE repo = 'acme/web-app' AND state = 'open'", 0);
        long rows = r.body().at("/metadata/sources/0/rows").asLong(r.body().get("rows").size());
        assertThat(rows).isPositive();
        List<String> w = warnings(r);
        assertThat(w).anySatisfy(s -> assertThat(s).contains("github.pull_requests.reviewer")
                .contains("'requested_reviewer.login' was absent in all " + rows + " rows"));
        // Titles are words: every one fails BIGINT, counted against the rows fetched.
        assertThat(w).anySatisfy(s -> assertThat(s).contains("github.pull_requests.title_num")
                .contains(rows + " of " + rows + " values did not convert to BIGINT"));
        // Columns that are fine (numbers as BIGINT, text as VARCHAR) say nothing.
        assertThat(w).noneMatch(s -> s.contains(".num_text") || s.contains(".title:") || s.contains(".title "));
        // No value reaches a warning (a policy may mask it): only names and counts.
        JsonNode first = r.body().at("/rows/0/3");
        assertThat(w).noneMatch(s -> s.contains(first.asText()));
    }

    @Test
    void aFilterPushedOnAColumnNoRowCarriesIsFlagged() {
        Response r = gw.query(token, "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/web-app' "
                + "AND state = 'open' AND reviewer = 'gracekim'", 0);
        assertThat(r.body().at("/rows/0/0").asLong()).isZero();
        assertThat(warnings(r)).anySatisfy(s -> assertThat(s).contains("reviewer = 'gracekim'")
                .contains("pushed to the source").contains("absent in every row"));
    }

    @Test
    void aNullOnTheWayToAPathCountsAsAnsweredNotAbsent() {
        // Unassigned issues have "assignee": null; the assigned ones carry displayName: no warning either way.
        Response r = gw.query(token, "SELECT assignee, assignee_email, key FROM jira.issues WHERE project = 'MOB'", 0);
        assertThat(warnings(r)).noneMatch(s -> s.contains("assignee"));
        Response unassigned = gw.query(token, "SELECT assignee FROM jira.issues WHERE project = 'MOB' AND assignee IS NULL", 0);
        assertThat(warnings(unassigned)).noneMatch(s -> s.contains("assignee"));
    }
}
