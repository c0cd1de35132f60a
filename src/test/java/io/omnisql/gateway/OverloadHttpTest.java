package io.omnisql.gateway;

import static io.omnisql.gateway.QueryEndToEndTest.sourceOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With every query slot held by slow upstream fetches, the gateway still answers /health and cached queries. */
class OverloadHttpTest {
    private static final long GITHUB_LATENCY_MS = 4000;
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml")
                ? text.replace("max_concurrent_queries: 64", "max_concurrent_queries: 2")
                        .replace("queue_timeout_ms: 2000", "queue_timeout_ms: 300")
                        .replace("    latency_ms: 0\n    seed: 42", "    latency_ms: " + GITHUB_LATENCY_MS + "\n    seed: 42")
                        .replace("pull_requests: 5000", "pull_requests: 200")
                        .replace("issues: 10000", "issues: 300")
                : text);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void fullSlotsQueueThenRefuseWithOverloadedWhileHealthAndCachedQueriesAnswer() throws Exception {
        String token = gw.token("busy", "mobile", "admin", "");
        String cached = "SELECT count(*) FROM jira.issues WHERE project = 'WEB'";
        assertThat(gw.query(token, cached).status()).isEqualTo(200);
        long githubBefore = gw.gateway().simulators().stats().githubRequests();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Response>> slow = new ArrayList<>();
            for (String state : List.of("open", "closed")) {
                slow.add(clients.submit(() -> gw.query(token, "SELECT count(*) FROM github.pull_requests WHERE state = '"
                        + state + "'", 0)));
            }
            // Both slow queries hold their slot once their first pages (4 repositories each) reach the simulator.
            while (gw.gateway().simulators().stats().githubRequests() - githubBefore < 8) {
                assertThat(slow).noneMatch(Future::isDone);
                Thread.sleep(10);
            }
            long t0 = System.nanoTime();
            Response health = gw.get("/health", null);
            Response small = gw.query(token, cached);
            Response overloaded = gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'MOB'", 0);
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(health.status()).isEqualTo(200);
            assertThat(small.status()).as(small.text()).isEqualTo(200);
            assertThat(sourceOf(small.body().get("metadata"), "jira.issues").get("cache").asText()).isEqualTo("hit");
            assertThat(overloaded.status()).as(overloaded.text()).isEqualTo(503);
            assertThat(overloaded.errorCode()).isEqualTo("OVERLOADED");
            assertThat(overloaded.header("Retry-After")).isEqualTo("1");
            assertThat(overloaded.body().at("/error/max_concurrent_queries").asInt()).isEqualTo(2);
            // All three were answered while the slow queries still held both slots.
            assertThat(elapsedMs).isLessThan(GITHUB_LATENCY_MS);
            assertThat(slow).noneMatch(Future::isDone);

            for (Future<Response> f : slow) {
                assertThat(f.get().status()).as(f.get().text()).isEqualTo(200);
            }
        }
        // Slots freed: the refused query now runs.
        assertThat(gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'MOB'", 0).status()).isEqualTo(200);
    }
}
