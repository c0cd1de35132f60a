package io.omnisql.gateway;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A statement DuckDB would refuse once the data is in (an unknown column, a type mismatch, an ungrouped column)
 * is refused before anything is fetched for it, by /v1/query and /v1/explain alike, with DuckDB's own error. (Errors
 * that depend on the data, such as a string that does not cast, can only come once it is in.)
 */
class StatementBindingHttpTest {
    private static final Map<String, String> REFUSED = Map.of(
            "SELECT number FROM github.pull_requests WHERE repo = 'acme/infra' GROUP BY title", "UNKNOWN_COLUMN",
            "SELECT number + true FROM github.pull_requests WHERE repo = 'acme/infra'", "BAD_REQUEST",
            "SELECT title FROM github.pull_requests WHERE repo = 'acme/infra' ORDER BY nosuch", "UNKNOWN_COLUMN",
            "SELECT p.title FROM github.pull_requests p JOIN jira.issues i ON p.created_at = i.created_at + true "
                    + "WHERE p.repo = 'acme/infra'", "BAD_REQUEST");

    @Test
    void aStatementDuckDbRefusesCostsNoUpstreamRequestAndExplainRefusesItToo() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start()) {
            String token = gw.token("alice", "mobile", "analyst", "");
            long before = gw.gateway().simulators().stats().githubRequests();
            REFUSED.forEach((sql, code) -> {
                for (Response r : new Response[] {gw.query(token, sql),
                        gw.post("/v1/explain", token, GatewayHarness.JSON.createObjectNode().put("sql", sql).toString())}) {
                    assertThat(r.errorCode()).as(sql + " -> " + r.text()).isEqualTo(code);
                    assertThat(r.body().at("/error/message").asText()).as(sql).startsWith("Binder Error");
                    assertThat(r.text()).as("no engine name leaks").doesNotContain("src_").doesNotContain("omni_");
                }
            });
            // An async query is refused at submission, as a statement the planner refuses is.
            Response async = gw.post("/v1/query", token, GatewayHarness.JSON.createObjectNode().put("async", true)
                    .put("sql", REFUSED.keySet().iterator().next()).toString());
            assertThat(async.status()).as(async.text()).isEqualTo(400);
            assertThat(gw.gateway().simulators().stats().githubRequests()).as("nothing was fetched").isEqualTo(before);
            assertThat(gw.gateway().engine().tables()).as("the stand-ins lived on the check's connection only")
                    .noneMatch(t -> t.contains("bind"));

            Response ok = gw.query(token, "SELECT title FROM github.pull_requests WHERE repo = 'acme/infra' ORDER BY number");
            assertThat(ok.status()).as(ok.text()).isEqualTo(200);
            assertThat(gw.gateway().simulators().stats().githubRequests()).as("a statement that binds is fetched")
                    .isGreaterThan(before);
        }
    }
}
