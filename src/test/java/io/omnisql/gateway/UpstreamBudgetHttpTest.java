package io.omnisql.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import org.junit.jupiter.api.Test;

/** A principal's share of an upstream's requests (sources.<name>.per_principal), enforced and shown by explain. */
class UpstreamBudgetHttpTest {
    private static final String PRS = "SELECT number, title FROM github.pull_requests";

    private static String share60(String ratelimits) {
        return ratelimits.replace("github: {burst: 500, refill_per_second: 250, max_concurrency: 16}",
                "github: {burst: 500, refill_per_second: 250, max_concurrency: 16, per_principal: {burst: 60, refill_per_second: 0.001}}");
    }

    private static JsonNode budget(GatewayHarness gw, String token, String sql, long maxStalenessMs) {
        Response r = gw.post("/v1/explain", token, GatewayHarness.JSON.createObjectNode().put("sql", sql)
                .put("max_staleness_ms", maxStalenessMs).toString());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body();
    }

    @Test
    void aPrincipalThatSpentItsShareIsRefusedWhileOthersKeepTheirsAndExplainShowsWhatIsLeft() throws Exception {
        // A cold read of the pull requests is 50 pages: a share of 60 allows one, not two (revalidations of
        // this GitHub are charged, so the second read of the same pages costs as much as the first).
        try (GatewayHarness gw = GatewayHarness.start((file, text) -> switch (file) {
            case "ratelimits.yaml" -> share60(text);
            case "catalog.yaml" -> text.replace("conditional_requests: free", "conditional_requests: charged");
            default -> text;
        })) {
            String spender = gw.token("spender", "web", "analyst", "");
            String other = gw.token("other", "web", "analyst", "");

            JsonNode before = budget(gw, spender, PRS, 0);
            assertThat(before.at("/upstream_requests/0/source").asText()).isEqualTo("github");
            assertThat(before.at("/upstream_requests/0/basis").asText()).isEqualTo("minimum");
            assertThat(before.at("/upstream_requests/0/requests").asLong()).isPositive();
            assertThat(before.at("/budgets/0/principal_left").asLong()).isEqualTo(60);
            assertThat(before.at("/budgets/0/source_left").asLong()).isPositive();

            Response first = gw.query(spender, PRS, 0);
            assertThat(first.status()).as(first.text()).isEqualTo(200);
            long pages = first.body().at("/metadata/sources/0/pages").asLong();
            JsonNode after = budget(gw, spender, PRS, 0);
            assertThat(after.at("/upstream_requests/0/basis").asText()).isEqualTo("last_fetch");
            assertThat(after.at("/upstream_requests/0/requests").asLong()).isEqualTo(pages);
            assertThat(after.at("/budgets/0/principal_left").asLong()).isEqualTo(60 - pages);
            assertThat(budget(gw, spender, PRS, 3_600_000).at("/upstream_requests/0/requests").asLong())
                    .as("served from the cache: no request").isZero();

            Response again = gw.query(spender, PRS, 0);
            assertThat(again.errorCode()).as("an older copy exists: the freshness rules apply").isEqualTo("STALE_DATA");
            assertThat(again.body().at("/error/cause").asText()).isEqualTo("RATE_LIMIT_EXHAUSTED");

            Response second = gw.query(spender, PRS + " WHERE state = 'closed'", 0);
            assertThat(second.status()).as(second.text()).isEqualTo(429);
            assertThat(second.errorCode()).isEqualTo("RATE_LIMIT_EXHAUSTED");
            assertThat(second.body().at("/error/limit").asText()).isEqualTo("principal_budget");
            assertThat(second.body().at("/error/source").asText()).isEqualTo("github");
            assertThat(second.header("Retry-After")).isNotNull();

            assertThat(gw.query(spender, PRS, 3_600_000).status()).as("cached data costs no budget").isEqualTo(200);
            assertThat(gw.query(other, PRS, 0).status()).as("another principal has its own share").isEqualTo(200);
        }
    }

    @Test
    void revalidationsAGitHubDoesNotChargeCostNoShare() throws Exception {
        // The shipped catalog declares github's conditional requests free: a second live read, all 304s, costs
        // the principal nothing and is answered, where a charged source would have refused it.
        try (GatewayHarness gw = GatewayHarness.start((file, text) -> file.equals("ratelimits.yaml") ? share60(text) : text)) {
            String reader = gw.token("reader", "web", "analyst", "");
            Response first = gw.query(reader, PRS, 0);
            assertThat(first.status()).as(first.text()).isEqualTo(200);
            long left = budget(gw, reader, PRS, 0).at("/budgets/0/principal_left").asLong();
            assertThat(left).isEqualTo(60 - first.body().at("/metadata/sources/0/pages").asLong());

            Response again = gw.query(reader, PRS, 0);
            assertThat(again.status()).as(again.text()).isEqualTo(200);
            assertThat(again.body().at("/metadata/sources/0/cache").asText()).isNotEqualTo("hit");
            assertThat(budget(gw, reader, PRS, 0).at("/budgets/0/principal_left").asLong()).isEqualTo(left);
            assertThat(again.body().at("/rows").size()).isEqualTo(first.body().at("/rows").size());
        }
    }
}
