package io.omnisql.connector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.DemoData;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** github.pull_requests.author_email: one call per surviving row, only when named, cached, and costed by explain. */
class PerRowColumnTest {
    private static final String FEW = "SELECT number, author, author_email FROM github.pull_requests "
            + "WHERE repo = 'acme/infra' AND number <= 6 AND number != 2";
    private static GatewayHarness gw;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml")
                ? text.replace("pull_requests: 5000", "pull_requests: 800") : text);
        token = gw.token("ops", "platform", "admin", "PII_ACCESS"); // exempt from team filters and e-mail masks
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private static long commitCalls() {
        return gw.gateway().simulators().stats().githubCommitsCalls();
    }

    private static String perRowLine(String sql) {
        Response r = gw.post("/v1/explain", token, GatewayHarness.JSON.createObjectNode().put("sql", sql).toString());
        for (JsonNode req : r.body().at("/tables/0/requests")) {
            if (req.asText().startsWith("per_row author_email")) {
                return req.asText();
            }
        }
        return null;
    }

    @Test
    void callsOnlyForRowsPassingTheTablesFiltersAndCachesThem() {
        String sql = FEW.replace("number <= 6", "number <= 5");
        assertThat(perRowLine(sql)).contains("/repos/{repo}/pulls/{number}/commits").contains("1 call per row");
        long before = commitCalls();
        Response r = gw.query(token, sql, 0);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode rows = r.body().get("rows");
        assertThat(rows.size()).isEqualTo(4); // numbers 1, 3, 4, 5 of the 200 infra pull requests
        assertThat(commitCalls() - before).isEqualTo(rows.size());
        Map<String, String> emails = gw.gateway().simulators().data().people().stream()
                .collect(Collectors.toMap(DemoData.Person::login, DemoData.Person::email));
        for (JsonNode row : rows) {
            assertThat(row.get(2).asText()).isEqualTo(emails.get(row.get(1).asText()));
        }
        assertThat(perRowLine(sql)).contains("up to 0 calls").contains("4 rows passed");
        long again = commitCalls();
        Response second = gw.query(token, sql, 0);
        assertThat(second.body().get("rows")).isEqualTo(rows);
        assertThat(commitCalls()).isEqualTo(again);
    }

    @Test
    void unnamedPerRowColumnCostsNothingEvenWithStar() {
        long before = commitCalls();
        Response star = gw.query(token, "SELECT * FROM github.pull_requests WHERE repo = 'acme/web-app'", 0);
        Response count = gw.query(token, "SELECT count(*) FROM github.pull_requests", 0);
        assertThat(star.status()).as(star.text()).isEqualTo(200);
        assertThat(count.status()).as(count.text()).isEqualTo(200);
        List<String> columns = star.body().get("columns").findValuesAsText("name");
        assertThat(columns).contains("title").doesNotContain("author_email");
        assertThat(commitCalls()).isEqualTo(before);
        assertThat(perRowLine("SELECT count(*) FROM github.pull_requests")).isNull();
    }

    @Test
    void filterOnThePerRowColumnItselfIsAppliedAfterTheCalls() {
        String login = gw.gateway().simulators().data().pullRequests().stream()
                .filter(p -> p.repo().fullName().equals("acme/platform-api") && p.number() <= 3)
                .map(DemoData.PullRequest::author).findFirst().orElseThrow();
        String email = gw.gateway().simulators().data().person(login).orElseThrow().email();
        Response r = gw.query(token, "SELECT number FROM github.pull_requests WHERE repo = 'acme/platform-api' "
                + "AND number <= 3 AND author_email = '" + email + "'", 0);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        Function<DemoData.PullRequest, Boolean> expected = p -> p.repo().fullName().equals("acme/platform-api")
                && p.number() <= 3 && p.author().equals(login);
        assertThat(r.body().get("rows").size()).isEqualTo((int) gw.gateway().simulators().data().pullRequests()
                .stream().filter(expected::apply).count()).isPositive();
    }
}
