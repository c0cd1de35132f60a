package io.omnisql.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.exec.Lane;
import io.omnisql.ratelimit.RateLimiter;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Fair sharing through HTTP: one principal's heavy statements neither starve another principal's small query
 * nor exceed the principal's running cap; async queries can be followed, cancelled, and expire.
 */
class FairShareHttpTest {
    /** Never true: DuckDB grinds through a 2.5e11-row nested loop until its deadline or a cancel. */
    static final String HEAVY = "SELECT count(*) FROM github.pull_requests a, github.pull_requests b, jira.issues c "
            + "WHERE a.number + b.number + length(c.key) = -1";
    /** Reads the heavy statement's tables with the same columns, so it warms their cache entries. */
    static final String WARM = "SELECT count(*) FROM github.pull_requests a, jira.issues c WHERE a.number + length(c.key) = -1";
    static final String SMALL = "SELECT count(*) FROM github.pull_requests WHERE state = 'open'";

    private static GatewayHarness start(String simulatorLatencyMs) throws Exception {
        return GatewayHarness.start((file, text) -> switch (file) {
            case "ratelimits.yaml" -> text.replace("queue_wait_ms: 1000", "queue_wait_ms: 200")
                    .replace("result_ttl_ms: 300000", "result_ttl_ms: 1500");
            case "catalog.yaml" -> text.replace("  github:\n    latency_ms: 0", "  github:\n    latency_ms: " + simulatorLatencyMs);
            default -> text;
        });
    }

    private static String async(GatewayHarness gw, String token, String sql, long timeoutMs) {
        Response r = gw.post("/v1/query", token, GatewayHarness.JSON.createObjectNode().put("sql", sql)
                .put("timeout_ms", timeoutMs).put("max_staleness_ms", 3_600_000).put("async", true).toString());
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        String id = r.body().get("id").asText();
        assertThat(r.body().get("next_uri").asText()).isEqualTo("/v1/queries/" + id);
        assertThat(r.header("Location")).isEqualTo("/v1/queries/" + id);
        return id;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(until);
            Thread.sleep(20);
        }
    }

    @Test
    void aSmallQueryAnswersWhileAnotherPrincipalsFourHeavyQueriesRunAndTheFifthIsRefused() throws Exception {
        try (GatewayHarness gw = start("0")) {
            String heavy = gw.token("heavy-user", "web", "analyst", "");
            String light = gw.token("light-user", "mobile", "analyst", "");
            // Warm the cache: the heavy statement's tables (same columns, a join DuckDB finishes) and the small query's.
            Response warm = gw.post("/v1/query", heavy, "{\"sql\":\"" + WARM + "\",\"timeout_ms\":60000,\"max_staleness_ms\":3600000}");
            assertThat(warm.status()).as(warm.text()).isEqualTo(200);
            assertThat(gw.query(light, SMALL, 3_600_000).status()).isEqualTo(200);

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(async(gw, heavy, HEAVY, 60_000));
            }
            // One runs in the long lane, three wait for it; all four hold the principal's running slots.
            await("a heavy statement executing, three queued", () -> gw.gateway().engine().load(Lane.LONG).running() == 1
                    && gw.gateway().engine().load(Lane.LONG).queued() == 3);

            Response fifth = gw.post("/v1/query", heavy, "{\"sql\":\"SELECT 1\"}");
            assertThat(fifth.status()).as(fifth.text()).isEqualTo(429);
            assertThat(fifth.errorCode()).isEqualTo("RATE_LIMIT_EXHAUSTED");
            long retryMs = fifth.body().at("/error/retry_after_ms").asLong();
            assertThat(retryMs).as("a slot frees by the first heavy's deadline at the latest").isBetween(1L, 60_000L);
            assertThat(fifth.header("Retry-After")).isEqualTo(String.valueOf(RateLimiter.retryAfterSeconds(retryMs)));
            assertThat(fifth.body().at("/error/max_running_queries").asInt()).isEqualTo(4);

            String metrics = gw.get("/metrics", null).text();
            assertThat(metrics).contains("duckdb_lane_running{lane=\"long\",} 1.0", "duckdb_lane_queued{lane=\"long\",} 3.0",
                    "duckdb_lane_slots{lane=\"short\",} 2.0");

            Response small = gw.query(light, SMALL, 3_600_000);
            assertThat(small.status()).as(small.text()).isEqualTo(200);
            for (String id : ids) {
                assertThat(gw.get("/v1/queries/" + id, heavy).body().get("state").asText())
                        .as("the small query answered while every heavy one still runs").isIn("queued", "executing");
            }

            // Lists: the owner sees its four, another principal none, an admin all of them.
            assertThat(gw.get("/v1/queries", heavy).body().get("queries")).hasSize(4);
            assertThat(gw.get("/v1/queries", light).body().get("queries")).isEmpty();
            String admin = gw.token("root", "platform", "admin", "");
            assertThat(gw.get("/v1/queries", admin).body().get("queries").findValuesAsText("id")).containsAll(ids);
            assertThat(gw.get("/v1/queries/" + ids.get(0), light).status()).as("not another principal's").isEqualTo(404);

            for (String id : ids) {
                Response cancelled = gw.delete("/v1/queries/" + id, heavy);
                assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
                assertThat(cancelled.body().get("state").asText()).isEqualTo("cancelled");
                assertThat(cancelled.body().at("/error/code").asText()).isEqualTo("QUERY_CANCELLED");
            }
            await("DuckDB free again", () -> gw.gateway().engine().load(Lane.LONG).running() == 0
                    && gw.gateway().engine().load(Lane.LONG).queued() == 0);
            assertThat(gw.post("/v1/query", heavy, "{\"sql\":\"SELECT 1\"}").status())
                    .as("the principal's slots were released").isEqualTo(200);
            assertThat(gw.get("/metrics", null).text()).contains("query_cancellations_total 4.0")
                    .containsPattern("duckdb_lane_wait_ms_count\\{lane=\"short\",} [1-9]");

            // The cap is hot reloaded: at 1, a second concurrent query of the principal is refused at once.
            assertThat(gw.edit("ratelimits.yaml", t -> t.replace("default: {burst: 50, refill_per_second: 10}",
                    "default: {burst: 50, refill_per_second: 10, max_running_queries: 1}")
                    .replace("queue_wait_ms: 200", "queue_wait_ms: 0"))).isTrue();
            String one = async(gw, heavy, HEAVY, 60_000);
            Response second = gw.post("/v1/query", heavy, "{\"sql\":\"SELECT 1\"}");
            assertThat(second.errorCode()).as(second.text()).isEqualTo("RATE_LIMIT_EXHAUSTED");
            assertThat(second.body().at("/error/max_running_queries").asInt()).isEqualTo(1);
            assertThat(gw.delete("/v1/queries/" + one, heavy).body().get("state").asText()).isEqualTo("cancelled");
        }
    }

    @Test
    void anAsyncQueryShowsProgressAndCancellingItStopsItsUpstreamRequests() throws Exception {
        try (GatewayHarness gw = start("40")) {
            String token = gw.token("follower", "web", "analyst", "");
            String id = async(gw, token, "SELECT number, title FROM github.pull_requests", 60_000);
            JsonNode[] seen = {null};
            await("pages fetched", () -> {
                seen[0] = gw.get("/v1/queries/" + id, token).body();
                return seen[0].at("/sources/0/pages").asLong() > 0;
            });
            assertThat(seen[0].get("state").asText()).isEqualTo("fetching");
            assertThat(seen[0].at("/sources/0/table").asText()).isEqualTo("github.pull_requests");
            assertThat(seen[0].at("/sources/0/rows").asLong()).isPositive();
            assertThat(seen[0].at("/sources/0/upstream_ms").asDouble()).isPositive();
            assertThat(seen[0].get("elapsed_ms").asLong()).isNotNegative();

            Response cancelled = gw.delete("/v1/queries/" + id, token);
            assertThat(cancelled.body().get("state").asText()).as(cancelled.text()).isEqualTo("cancelled");
            long after = gw.gateway().simulators().stats().githubRequests();
            Thread.sleep(400); // ten simulated request latencies
            assertThat(gw.gateway().simulators().stats().githubRequests())
                    .as("no upstream request after the cancel (at most those already in flight)").isLessThanOrEqualTo(after + 16);
            long settled = gw.gateway().simulators().stats().githubRequests();
            Thread.sleep(400);
            assertThat(gw.gateway().simulators().stats().githubRequests()).isEqualTo(settled);
            assertThat(gw.gateway().simulators().stats().githubRequests()).as("the fetch was abandoned midway")
                    .isLessThan(50);
        }
    }

    @Test
    void cancellingAQueryLetsAnotherWaitingOnTheSameFetchFetchItselfAndAnswer() throws Exception {
        // 300 ms per page: the shared fetch lasts over a second, so it is still under way when it is cancelled
        // (at 40 ms it could end first on a quiet machine, and the waiter then rightly took its data).
        try (GatewayHarness gw = start("300")) {
            String first = gw.token("canceller", "web", "analyst", "");
            String second = gw.token("bystander", "web", "analyst", "");
            String sql = "SELECT number, title FROM github.pull_requests";
            String leader = async(gw, first, sql, 60_000);
            await("the first query's fetch under way", () -> gw.get("/v1/queries/" + leader, first).body()
                    .at("/sources/0/pages").asLong() > 0);
            // The same table, columns and filters: the second query waits on the first one's fetch (coalesced).
            String waiter = async(gw, second, sql, 60_000);
            await("the second query waiting on the shared fetch", () -> gw.get("/v1/queries/" + waiter, second).body()
                    .get("state").asText().equals("fetching"));
            Thread.sleep(150);
            assertThat(gw.get("/v1/queries/" + waiter, second).body().at("/sources/0/pages").asLong())
                    .as("the second query has fetched nothing itself yet").isZero();

            assertThat(gw.get("/v1/queries/" + leader, first).body().get("state").asText())
                    .as("the shared fetch is still under way when it is cancelled").isEqualTo("fetching");
            Response cancelled = gw.delete("/v1/queries/" + leader, first);
            assertThat(cancelled.body().get("state").asText()).as(cancelled.text()).isEqualTo("cancelled");

            JsonNode[] done = {null};
            await("the second query to finish", () -> {
                done[0] = gw.get("/v1/queries/" + waiter, second).body();
                return !List.of("queued", "fetching", "executing").contains(done[0].get("state").asText());
            });
            assertThat(done[0].get("state").asText()).as(done[0].toString()).isEqualTo("finished");
            assertThat(done[0].at("/sources/0/pages").asLong()).as("it fetched the table itself").isPositive();
            assertThat(done[0].at("/answer/rows").size()).as("its answer has rows").isPositive();
        }
    }

    private static String newestState(GatewayHarness gw, String token) {
        JsonNode list = gw.get("/v1/queries", token).body().get("queries");
        return list == null || list.isEmpty() ? "none" : list.get(0).get("state").asText();
    }

    @Test
    void aSynchronousQueryIsCancelledWhenItsClientDisconnects() throws Exception {
        try (GatewayHarness gw = start("0")) {
            String token = gw.token("leaver", "web", "analyst", "");
            byte[] body = GatewayHarness.JSON.createObjectNode().put("sql", HEAVY).put("timeout_ms", 60_000)
                    .put("max_staleness_ms", 3_600_000).toString().getBytes(StandardCharsets.UTF_8);
            try (Socket client = new Socket("127.0.0.1", gw.gateway().port())) {
                OutputStream out = client.getOutputStream();
                out.write(("POST /v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                await("the query running in DuckDB", () -> newestState(gw, token).equals("executing"));
            } // the client goes away mid-query, without reading an answer
            // A synchronous query leaves the list when it ends; the cancellation shows in the metrics.
            await("the abandoned query cancelled", () -> gw.get("/metrics", null).text().contains("query_cancellations_total 1.0"));
            assertThat(newestState(gw, token)).as("it no longer runs").isEqualTo("none");
        }
    }

    @Test
    void anAsyncAnswerIsKeptForItsRetentionThenGone() throws Exception {
        try (GatewayHarness gw = start("0")) {
            String token = gw.token("poller", "web", "analyst", "");
            Response submitted = gw.post("/v1/query", token, "{\"sql\":\"" + SMALL + "\"}".replace("}", ",\"async\":false}"));
            assertThat(submitted.status()).as("async false is the synchronous form").isEqualTo(200);
            Response preferred = send(gw, token);
            assertThat(preferred.status()).as(preferred.text()).isEqualTo(202);
            String id = preferred.body().get("id").asText();
            JsonNode[] done = {null};
            await("finished", () -> {
                done[0] = gw.get("/v1/queries/" + id, token).body();
                return done[0].get("state").asText().equals("finished");
            });
            assertThat(done[0].at("/answer/rows/0/0").asLong()).isPositive();
            assertThat(done[0].at("/answer/metadata/row_count").asInt()).isEqualTo(1);
            assertThat(done[0].has("next_uri")).isFalse();
            await("expired", () -> gw.get("/v1/queries/" + id, token).status() == 410);
            Response gone = gw.get("/v1/queries/" + id, token);
            assertThat(gone.errorCode()).isEqualTo("GONE");
            assertThat(gw.get("/v1/queries/0123456789abcdef0123456789abcdef", token).errorCode()).isEqualTo("NOT_FOUND");
        }
    }

    /** {@code Prefer: respond-async} without the body field. */
    private static Response send(GatewayHarness gw, String token) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(gw.uri("/v1/query"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"sql\":\"" + SMALL + "\"}"))
                .header("Authorization", "Bearer " + token).header("Prefer", "respond-async").build();
        var r = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), GatewayHarness.JSON.readTree(r.body()), r.body(), r.headers().map());
    }
}
