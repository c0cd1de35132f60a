package io.omnisql.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.omnisql.GatewayHarness;
import io.omnisql.sim.SimulatorSettings;
import io.omnisql.sim.SimulatorStats;
import io.omnisql.sim.Simulators;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two gateways behind a real haproxy, sharing a real redis-server, both reading from ONE upstream (simulators run
 * standalone here, reached through non-embedded base URLs, so the upstream's counters see the whole fleet).
 * The servers start once for the class; the Redis outage runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetHttpTest {
    /** The product sheet's burst of 50; the refill is slowed to 0.5/s so the count is exact on a loaded machine. */
    private static final double REFILL = 0.5;
    private static Path dir;
    private static Simulators upstream;
    private static int redisPort;
    private static Process redis;
    private static Process haproxy;
    private static GatewayHarness a;
    private static GatewayHarness b;
    private static int lbPort;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Answer(int status, JsonNode body, String replica, String retryAfter) {
    }

    @BeforeAll
    static void startFleet() throws Exception {
        dir = Files.createTempDirectory("omnisql-fleet");
        upstream = Simulators.start(SimulatorSettings.defaults());
        redisPort = LoopbackServers.freePort();
        redis = LoopbackServers.startRedis(redisPort, dir);
        a = GatewayHarness.start((file, text) -> configure(file, text, null));
        String issuer = "http://127.0.0.1:" + a.gateway().port() + "/dev";
        // Both replicas trust replica A's demo issuer, so both read exactly the same files.
        assertThat(a.edit("policies.yaml", text -> withIssuer(text, issuer))).isTrue();
        b = GatewayHarness.start((file, text) -> configure(file, text, issuer));
        lbPort = LoopbackServers.freePort();
        haproxy = LoopbackServers.startHaproxy(lbPort, List.of(a.gateway().port(), b.gateway().port()), dir);
    }

    @AfterAll
    static void stopFleet() {
        LoopbackServers.stop(haproxy);
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        LoopbackServers.stop(redis);
        if (upstream != null) {
            upstream.close();
        }
    }

    private static String configure(String file, String text, String issuer) {
        return switch (file) {
            case "catalog.yaml" -> text.replace("embedded:github", upstream.githubBaseUrl().toString())
                    .replace("embedded:jira", upstream.jiraBaseUrl().toString())
                    + "\ncluster:\n  redis: redis://127.0.0.1:" + redisPort + "\n  replicas: 2\n  retry_ms: 200\n"
                    // A loaded CI machine can stall a Redis answer for a few hundred ms; a timeout would (rightly)
                    // switch a replica to its stricter local buckets and make the exact counts below flaky.
                    + "  command_timeout_ms: 3000\n";
            case "ratelimits.yaml" -> text.replace("default: {burst: 50, refill_per_second: 10}",
                            "default: {burst: 50, refill_per_second: " + REFILL + "}")
                    .replace("\n  jira: {", "\n  jira_dc: {burst: 100, refill_per_second: 0.001, max_concurrency: 8}\n  jira: {");
            case "policies.yaml" -> issuer == null ? text : withIssuer(text, issuer);
            default -> text;
        };
    }

    private static String withIssuer(String policies, String issuer) {
        return policies.replaceFirst("(?m)^identity:\\n", "identity:\n  issuer: " + issuer + "\n");
    }

    private static Answer post(String path, String token, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lbPort + path))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), GatewayHarness.JSON.readTree(r.body()),
                r.headers().firstValue("x-omnisql-replica").orElse(null),
                r.headers().firstValue("retry-after").orElse(null));
    }

    private static Answer query(String token, String sql, long maxStalenessMs) throws Exception {
        return post("/v1/query", token, GatewayHarness.JSON.createObjectNode().put("sql", sql)
                .put("max_staleness_ms", maxStalenessMs).toString());
    }

    /** {@code n} requests of one principal, 8 at a time, through haproxy. */
    private static List<Answer> burst(String token, int n) throws Exception {
        String body = GatewayHarness.JSON.createObjectNode().put("sql", "SELECT key FROM jira.issues LIMIT 1").toString();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Answer>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> post("/v1/explain", token, body)));
            }
            List<Answer> out = new ArrayList<>();
            for (Future<Answer> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        }
    }

    private static void assertOneFleetLimit(String subject) throws Exception {
        String token = a.token(subject, "mobile", "analyst", "");
        long start = System.nanoTime();
        List<Answer> answers = burst(token, 75);
        double seconds = LoopbackServers.since(start).toMillis() / 1000.0;
        long passed = answers.stream().filter(x -> x.status() == 200).count();
        assertThat(answers).allSatisfy(x -> assertThat(x.status()).isIn(200, 429));
        // Exactly one bucket of 50 for both replicas; at most the refill of the burst's duration on top.
        assertThat(passed).isBetween(50L, 50L + 1 + (long) Math.floor(seconds * REFILL));
        assertThat(answers).filteredOn(x -> x.status() == 429).allSatisfy(x -> {
            assertThat(x.body().path("error").path("code").asText()).isEqualTo("RATE_LIMIT_EXHAUSTED");
            // Honest: one token every 2 s, so the next one is at most 2 s away.
            assertThat(Long.parseLong(x.retryAfter())).isBetween(1L, 2L);
        });
        Set<String> replicas = new HashSet<>();
        answers.forEach(x -> replicas.add(x.replica()));
        assertThat(replicas).containsExactlyInAnyOrder("g1", "g2");
    }

    @Test
    @Order(1)
    void bothReplicasServeTheSameConfigurationAndSeeRedis() throws Exception {
        JsonNode ha = a.get("/health", null).body();
        JsonNode hb = b.get("/health", null).body();
        assertThat(ha.path("config_digest").asText()).hasSize(16).isEqualTo(hb.path("config_digest").asText());
        for (JsonNode h : List.of(ha, hb)) {
            assertThat(h.path("cluster").path("mode").asText()).isEqualTo("fleet");
            assertThat(h.path("cluster").path("redis_state").asText()).isEqualTo("up");
            assertThat(h.path("cluster").path("replicas").asInt()).isEqualTo(2);
        }
    }

    @Test
    @Order(2)
    void aPrincipalsRequestsSpreadOverBothReplicasPassExactlyOneBurst() throws Exception {
        assertOneFleetLimit("burst-user");
    }

    @Test
    @Order(3)
    void aSourceBucketOf100HoldsAcrossBothReplicas() throws Exception {
        String token = a.token("source-admin", "platform", "admin", "");
        long before = upstream.stats().jiraDcSearchPages();
        Answer refused = null;
        // ~34 pages per query (project MOB); live queries share no pages, so each one spends its own tokens.
        for (int i = 0; i < 6 && refused == null; i++) {
            Answer r = query(token, "SELECT count(*) AS n FROM jira_dc.issues WHERE project = 'MOB'", 0);
            if (r.status() != 200) {
                refused = r;
            }
        }
        assertThat(refused).as("the fourth query runs out of the shared 100 tokens").isNotNull();
        // Earlier answers are cached, so the refusal says live data could not be had, and why.
        JsonNode error = refused.body().path("error");
        assertThat(error.path("code").asText()).as(error.toString()).isIn("RATE_LIMIT_EXHAUSTED", "STALE_DATA");
        if (error.path("code").asText().equals("STALE_DATA")) {
            assertThat(error.path("cause").asText()).isEqualTo("RATE_LIMIT_EXHAUSTED");
        }
        assertThat(error.path("source").asText()).isEqualTo("jira_dc");
        // Never more than the one bucket of 100 across both replicas (two unshared buckets would allow 200). A token
        // taken by a page request that the refused query cancelled before the request left is spent unsent, so the
        // count can fall a few short of 100 when the refusal lands mid-page.
        assertThat(upstream.stats().jiraDcSearchPages() - before).isBetween(92L, 100L);
    }

    @Test
    @Order(4)
    void twentyIdenticalQueriesOverBothReplicasFetchEachPageOnce() throws Exception {
        // Two principals: an admin may run 16 queries at once across the fleet (max_running_queries), not 20.
        List<String> tokens = List.of(a.token("fleet-admin", "platform", "admin", ""),
                a.token("fleet-admin-2", "platform", "admin", ""));
        String sql = "SELECT number, title FROM github.pull_requests WHERE repo = 'acme/web-app'";
        upstream.resetStats();
        List<Answer> answers;
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            List<Future<Answer>> futures = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String token = tokens.get(i % 2);
                futures.add(pool.submit(() -> query(token, sql, 60_000)));
            }
            answers = new ArrayList<>();
            for (Future<Answer> f : futures) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
        }
        assertThat(answers).as(() -> "replica health: " + a.get("/health", null).text() + " / " + b.get("/health", null).text())
                .allSatisfy(x -> assertThat(x.status()).isEqualTo(200));
        assertThat(answers.stream().map(Answer::replica).distinct()).containsExactlyInAnyOrder("g1", "g2");
        int pages = answers.stream().mapToInt(x -> x.body().path("metadata").path("sources").path(0).path("pages").asInt()).max().orElse(0);
        assertThat(pages).isGreaterThan(5);
        SimulatorStats stats = upstream.stats();
        assertThat(stats.githubPullsPages()).as("each page once for the whole fleet").isEqualTo(pages);
        // Both replicas materialised the table: one fetched upstream, the other read the same pages from Redis.
        assertThat(pageCount(a, "shared") + pageCount(a, "waited") + pageCount(b, "shared") + pageCount(b, "waited"))
                .isGreaterThanOrEqualTo(pages);
    }

    @Test
    @Order(5)
    void aLivePageIsRevalidatedWithTheFleetsEtagWhicheverReplicaFetchedIt() throws Exception {
        // After the previous test each web-app page was fetched by one replica only; the other has no ETag of its
        // own for it. Live queries on both replicas: every page must come back 304 (free on GitHub).
        String token = a.token("etag-admin", "platform", "admin", "");
        String sql = "SELECT number, title FROM github.pull_requests WHERE repo = 'acme/web-app'";
        for (GatewayHarness replica : List.of(a, b)) {
            SimulatorStats before = upstream.stats();
            GatewayHarness.Response live = replica.query(token, sql, 0);
            assertThat(live.status()).as(live.text()).isEqualTo(200);
            SimulatorStats after = upstream.stats();
            long requests = after.githubPullsPages() - before.githubPullsPages();
            assertThat(requests).isGreaterThan(5);
            assertThat(after.githubNotModified() - before.githubNotModified()).isEqualTo(requests);
        }
    }

    @Test
    @Order(6)
    void anUpstreamQuotaSpentOnOneReplicaHoldsBackTheOther() throws Exception {
        SimulatorSettings normal = SimulatorSettings.defaults();
        SimulatorSettings.GithubSettings gh = normal.github();
        // GitHub's primary quota: 3 requests per 60 s window; the third answer says x-ratelimit-remaining: 0.
        upstream.update(new SimulatorSettings(new SimulatorSettings.GithubSettings(gh.latencyMs(), gh.seed(), gh.org(),
                gh.repos(), gh.pullRequests(), new SimulatorSettings.Faults(0, 403, 1, 0, 503, 0, 0, 0, 3, 60)),
                normal.jira()));
        try {
            String token = a.token("quota-admin", "platform", "admin", "");
            String sql = "SELECT number FROM github.pull_requests WHERE repo = 'acme/mobile-app'";
            GatewayHarness.Response first = a.query(token, sql, 0);
            assertThat(first.errorCode()).as(first.text()).isEqualTo("RATE_LIMIT_EXHAUSTED");
            long before = upstream.stats().githubRequests();
            GatewayHarness.Response second = b.query(token, sql, 0);
            // Replica B learnt from A's answers: it does not ask GitHub at all until the quota resets, and says so.
            assertThat(second.errorCode()).as(second.text()).isEqualTo("RATE_LIMIT_EXHAUSTED");
            assertThat(second.body().path("error").path("source").asText()).isEqualTo("github");
            assertThat(second.body().path("error").path("retry_after_ms").asLong()).isBetween(30_000L, 61_000L);
            assertThat(upstream.stats().githubRequests()).isEqualTo(before);
        } finally {
            upstream.update(normal);
            try (RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort)) {
                client.connect().sync().del("omnisql:{src%3Agithub}:p");
            }
        }
    }

    @Test
    @Order(7)
    void withRedisDownTheReplicasKeepAnsweringAtTheirShareAndRecover() throws Exception {
        String admin = a.token("outage-admin", "platform", "admin", "");
        String strict = a.token("outage-user", "mobile", "analyst", "");
        LoopbackServers.kill(redis);
        long killed = System.nanoTime();
        // Each replica learns of the outage from its first decision; its buckets are empty from then on.
        burst(admin, 2);
        Thread.sleep(300);
        // A generous principal keeps being served (its share: 100 burst, 25/s per replica), with a warning.
        for (int i = 0; i < 6; i++) {
            Answer r = query(admin, "SELECT number, title FROM github.pull_requests WHERE repo = 'acme/infra'",
                    i == 0 ? 0 : 60_000);
            assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
            assertThat(r.body().path("metadata").path("warnings").toString()).contains("shared state (Redis) unreachable");
            Thread.sleep(100);
        }
        // A strict one (50 burst, 0.5/s for the fleet) gets no more than the fleet's refill since the outage began.
        List<Answer> answers = burst(strict, 30);
        double seconds = LoopbackServers.since(killed).toMillis() / 1000.0;
        assertThat(answers).allSatisfy(x -> assertThat(x.status()).isIn(200, 429));
        long passed = answers.stream().filter(x -> x.status() == 200).count();
        assertThat(passed).isLessThanOrEqualTo((long) Math.floor(seconds * REFILL) + 1);
        for (GatewayHarness g : List.of(a, b)) {
            JsonNode cluster = g.get("/health", null).body().path("cluster");
            assertThat(cluster.path("redis_state").asText()).isEqualTo("down");
            assertThat(g.get("/metrics", null).text()).contains("cluster_redis_up 0.0");
            // Still ready: every replica shares the Redis, so failing readiness would pull them all at once.
            GatewayHarness.Response ready = g.get("/health/ready", null);
            assertThat(ready.status()).as(ready.text()).isEqualTo(200);
            assertThat(ready.body().path("checks").path("redis").asText()).isEqualTo("DEGRADED");
        }

        redis = LoopbackServers.startRedis(redisPort, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && !(up(a) && up(b))) {
            Thread.sleep(100);
        }
        assertThat(up(a) && up(b)).as("both replicas reconnect by themselves").isTrue();
        Answer after = query(admin, "SELECT number FROM github.pull_requests WHERE repo = 'acme/infra'", 60_000);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.body().path("metadata").path("warnings").toString()).doesNotContain("Redis");
        assertOneFleetLimit("after-outage-user");
    }

    private static boolean up(GatewayHarness g) {
        return g.get("/health", null).body().path("cluster").path("redis_state").asText().equals("up");
    }

    private static long pageCount(GatewayHarness g, String outcome) {
        String metrics = g.get("/metrics", null).text();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("cluster_pages_total{outcome=\"" + outcome + "\"")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no cluster_pages_total for " + outcome + " in /metrics");
    }

}
