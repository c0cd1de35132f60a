package io.omnisql.gateway;

import static io.omnisql.gateway.QueryEndToEndTest.sourceOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.sim.SimulatorStats;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Freshness through HTTP: cache or live by max_staleness_ms, counted at the simulators; source tokens spent
 * only by live fetches; STALE_DATA and allow_stale when live data cannot be had.
 */
class FreshnessHttpTest {
    private static GatewayHarness gw;
    private static String token;
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml") ? GatewayHarness.withGithubFaults(text, "") : text);
        token = gw.token("fresh", "mobile", "admin", "");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @BeforeEach
    void listen() {
        Logger.getLogger("omnisql.query").addHandler(capture);
    }

    @AfterEach
    void unlisten() {
        Logger.getLogger("omnisql.query").removeHandler(capture);
    }

    /** The test catalog: small demo data, and {@code faults} (a YAML flow mapping or "") for the GitHub simulator. */

    private static Response query(String sql, Long maxStalenessMs, boolean allowStale) {
        ObjectNode body = GatewayHarness.JSON.createObjectNode().put("sql", sql);
        if (maxStalenessMs != null) {
            body.put("max_staleness_ms", maxStalenessMs);
        }
        if (allowStale) {
            body.put("allow_stale", true);
        }
        return gw.post("/v1/query", token, body.toString());
    }

    private static long upstreamCalls() {
        SimulatorStats s = gw.gateway().simulators().stats();
        return s.githubRequests() + s.jiraRequests();
    }

    @Test
    void cacheHitMakesNoUpstreamCallAndLiveQueryDoes() throws InterruptedException {
        String sql = "SELECT count(*) FROM jira.issues WHERE project = 'WEB'";
        long before = upstreamCalls();
        Response first = query(sql, null, false);
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        long fetched = upstreamCalls() - before;
        assertThat(fetched).isPositive();
        assertThat(sourceOf(first.body().get("metadata"), "jira.issues").get("cache").asText()).isEqualTo("miss");
        assertThat(first.body().at("/metadata/freshness_ms").asLong()).isZero();

        Thread.sleep(20);
        Response hit = query(sql, 60_000L, false);
        assertThat(upstreamCalls() - before).isEqualTo(fetched);
        JsonNode source = sourceOf(hit.body().get("metadata"), "jira.issues");
        assertThat(source.get("cache").asText()).isEqualTo("hit");
        assertThat(source.get("pages").asInt()).isZero();
        assertThat(hit.body().at("/metadata/freshness_ms").asLong()).isGreaterThanOrEqualTo(20)
                .isEqualTo(source.get("age_ms").asLong());
        assertThat(hit.body().at("/rows/0/0").asLong()).isEqualTo(first.body().at("/rows/0/0").asLong());

        Response live = query(sql, 0L, false);
        assertThat(sourceOf(live.body().get("metadata"), "jira.issues").get("cache").asText()).isEqualTo("miss");
        assertThat(live.body().at("/metadata/freshness_ms").asLong()).isZero();
        assertThat(upstreamCalls() - before).isEqualTo(2 * fetched);
    }

    @Test
    void freshnessIsTheAgeOfTheOldestDataInTheAnswer() throws InterruptedException {
        // Same Jira columns as the join below (cache entries are per request, projection included).
        query("SELECT count(branch_name) FROM jira.issues WHERE project = 'PLAT'", null, false);
        Thread.sleep(50);
        Response joined = query("SELECT count(*) FROM jira.issues i JOIN github.pull_requests p ON p.branch = i.branch_name "
                + "WHERE i.project = 'PLAT'", null, false);
        assertThat(joined.status()).as(joined.text()).isEqualTo(200);
        JsonNode meta = joined.body().get("metadata");
        assertThat(sourceOf(meta, "jira.issues").get("cache").asText()).isEqualTo("hit");
        assertThat(sourceOf(meta, "github.pull_requests").get("age_ms").asLong()).isLessThan(50);
        assertThat(meta.get("freshness_ms").asLong()).isGreaterThanOrEqualTo(50)
                .isEqualTo(sourceOf(meta, "jira.issues").get("age_ms").asLong());
    }

    @Test
    void cacheHitsCostNoSourceTokensAndALiveFetchWithoutTokensIsRateLimited() throws Exception {
        String cached = "SELECT count(*) FROM jira.issues WHERE project = 'MOB'";
        assertThat(query(cached, null, false).status()).isEqualTo(200);
        // One token left in the Jira bucket, and practically no refill.
        gw.edit("ratelimits.yaml", t -> t.replace("jira: {burst: 1000, refill_per_second: 500, max_concurrency: 16}",
                "jira: {burst: 1, refill_per_second: 0.001, max_concurrency: 16}"));
        try {
            for (int i = 0; i < 5; i++) {
                Response hit = query(cached, null, false);
                assertThat(hit.status()).as(hit.text()).isEqualTo(200);
                assertThat(sourceOf(hit.body().get("metadata"), "jira.issues").get("cache").asText()).isEqualTo("hit");
            }
            // The one token is still there: the hits took none. A one-page live fetch spends it.
            Response onePage = query("SELECT key FROM jira.issues WHERE project = 'MOB' AND key = 'MOB-1'", 0L, false);
            assertThat(onePage.status()).as(onePage.text()).isEqualTo(200);
            assertThat(sourceOf(onePage.body().get("metadata"), "jira.issues").get("pages").asInt()).isEqualTo(1);

            Response starved = query("SELECT key FROM jira.issues WHERE key = 'MOB-2'", 0L, false);
            assertThat(starved.status()).as(starved.text()).isEqualTo(429);
            assertThat(starved.errorCode()).isEqualTo("RATE_LIMIT_EXHAUSTED");
            assertThat(starved.body().at("/error/source").asText()).isEqualTo("jira");
            assertThat(starved.body().at("/error/message").asText()).contains("jira");

            // Live data out of tokens, but older data cached: STALE_DATA, not a rate-limit error.
            Response stale = query(cached, 0L, false);
            assertThat(stale.status()).as(stale.text()).isEqualTo(503);
            assertThat(stale.errorCode()).isEqualTo("STALE_DATA");
            assertThat(stale.body().at("/error/cause").asText()).isEqualTo("RATE_LIMIT_EXHAUSTED");
        } finally {
            gw.edit("ratelimits.yaml", t -> t.replace("jira: {burst: 1, refill_per_second: 0.001, max_concurrency: 16}",
                    "jira: {burst: 1000, refill_per_second: 500, max_concurrency: 16}"));
        }
    }

    @Test
    void unavailableSourceWithOnlyOlderDataCachedAnswersStaleDataUnlessAllowStale() throws Exception {
        String sql = "SELECT count(*) FROM github.pull_requests WHERE state = 'open'";
        Response fresh = query(sql, null, false);
        assertThat(fresh.status()).as(fresh.text()).isEqualTo(200);
        assertThat(gw.edit("catalog.yaml", t -> GatewayHarness.withGithubFaults(t, "{error_every: 1}"))).isTrue();
        try {
            Thread.sleep(20);
            Response refused = query(sql, 0L, false);
            assertThat(refused.status()).as(refused.text()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("STALE_DATA");
            long available = refused.body().at("/error/available_age_ms").asLong();
            assertThat(available).isGreaterThanOrEqualTo(20);
            assertThat(refused.body().at("/error/source").asText()).isEqualTo("github");
            assertThat(refused.body().at("/error/cause").asText()).isEqualTo("SOURCE_ERROR");
            assertThat(refused.body().at("/error/message").asText()).contains("allow_stale");
            assertLogged(refused.body().at("/error/trace_id").asText(), "STALE_DATA");

            ObjectNode body = GatewayHarness.JSON.createObjectNode().put("sql", sql).put("max_staleness_ms", 0)
                    .put("allow_stale", true);
            Response served = gw.post("/v1/query", token, body.toString());
            assertThat(served.status()).as(served.text()).isEqualTo(200);
            JsonNode meta = served.body().get("metadata");
            assertThat(sourceOf(meta, "github.pull_requests").get("cache").asText()).isEqualTo("stale");
            assertThat(meta.get("freshness_ms").asLong()).isGreaterThanOrEqualTo(available);
            assertThat(meta.get("warnings").toString()).contains("allow_stale").contains("github.pull_requests");
            assertThat(served.body().at("/rows/0/0").asLong()).isEqualTo(fresh.body().at("/rows/0/0").asLong());
            assertLogged(meta.get("trace_id").asText(), "allow_stale");

            // Nothing cached at all: the source's own error, not STALE_DATA.
            Response uncached = query("SELECT count(*) FROM github.pull_requests WHERE state = 'closed'", 0L, true);
            assertThat(uncached.status()).isEqualTo(502);
            assertThat(uncached.errorCode()).isEqualTo("SOURCE_ERROR");
        } finally {
            gw.edit("catalog.yaml", t -> GatewayHarness.withGithubFaults(t, ""));
        }
    }

    @Test
    void staleCacheWithinTheRequestsStalenessIsServedEvenWhileTheSourceFails() throws Exception {
        String sql = "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/infra'";
        assertThat(query(sql, null, false).status()).isEqualTo(200);
        gw.edit("catalog.yaml", t -> GatewayHarness.withGithubFaults(t, "{error_every: 1}"));
        try {
            Response hit = query(sql, 600_000L, false);
            assertThat(hit.status()).as(hit.text()).isEqualTo(200);
            assertThat(sourceOf(hit.body().get("metadata"), "github.pull_requests").get("cache").asText()).isEqualTo("hit");
        } finally {
            gw.edit("catalog.yaml", t -> GatewayHarness.withGithubFaults(t, ""));
        }
    }

    private void assertLogged(String traceId, String text) {
        assertThat(traceId).matches("[0-9a-f]{32}");
        assertThat(logged).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.WARNING);
            assertThat(r.getMessage()).contains(traceId).contains(text);
        });
    }
}
