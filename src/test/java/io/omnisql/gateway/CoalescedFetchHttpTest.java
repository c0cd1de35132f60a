package io.omnisql.gateway;

import static io.omnisql.gateway.QueryEndToEndTest.sourceOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Identical live queries in flight together share one upstream fetch, counted at the simulator. */
class CoalescedFetchHttpTest {
    private static final int QUERIES = 4;
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        // Each Jira page takes 400 ms, so the one fetch is still running when every query has arrived.
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml")
                ? text.replace("    latency_ms: 0\n    projects:", "    latency_ms: 400\n    projects:")
                        .replace("issues: 10000", "issues: 600")
                : text);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void concurrentIdenticalLiveQueriesShareOneUpstreamFetch() throws Exception {
        String token = gw.token("many", "mobile", "admin", "");
        String body = "{\"sql\":\"SELECT count(*) FROM jira.issues WHERE project = 'MOB'\",\"max_staleness_ms\":0}";
        // Plan once beforehand (explain fetches nothing), so all queries reach the cache together.
        assertThat(gw.post("/v1/explain", token, body.replace(",\"max_staleness_ms\":0", "")).status()).isEqualTo(200);
        long before = gw.gateway().simulators().stats().jiraRequests();
        CountDownLatch go = new CountDownLatch(1);
        List<Response> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < QUERIES; i++) {
                futures.add(clients.submit(() -> {
                    go.await();
                    return gw.post("/v1/query", token, body);
                }));
            }
            go.countDown();
            for (Future<Response> f : futures) {
                answers.add(f.get());
            }
        }
        List<String> outcomes = new ArrayList<>();
        int missPages = 0;
        for (Response r : answers) {
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            var source = sourceOf(r.body().get("metadata"), "jira.issues");
            outcomes.add(source.get("cache").asText());
            missPages += source.get("pages").asInt();
            assertThat(r.body().at("/rows/0/0").asLong()).isEqualTo(answers.get(0).body().at("/rows/0/0").asLong());
        }
        assertThat(outcomes).containsOnlyOnce("miss").contains("coalesced");
        assertThat(missPages).isPositive();
        assertThat(gw.gateway().simulators().stats().jiraRequests() - before).isEqualTo(missPages);
    }
}
