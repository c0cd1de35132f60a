package io.omnisql.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnisql.GatewayHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped Grafana dashboard and Prometheus alert rules against a real Prometheus scraping a real gateway
 * under a little load (hits, misses, stale data, a source failure, an upstream quota running out, a rejected
 * configuration edit): promtool accepts the rules, every dashboard expression returns data, every alert's signal
 * returns data, and the alerts the load provokes go pending or firing.
 */
class OperatorMonitoringTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RULES = Path.of("ops/prometheus/omnisql-alerts.yml");
    private static final Path DASHBOARD = Path.of("ops/grafana/omnisql-dashboard.json");
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Path promtool = PrometheusServer.binary("promtool", "PROMTOOL_BIN");
        Process check = new ProcessBuilder(promtool.toString(), "check", "rules", RULES.toString())
                .redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS: " + alertSignals().size() + " rules found");
    }

    @Test
    void everyDashboardAndAlertExpressionReturnsDataFromARealScrape() throws Exception {
        // The GitHub simulator reports a small quota (x-ratelimit-remaining), as a real API near its limit would.
        try (GatewayHarness gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml")
                ? GatewayHarness.withGithubFaults(text, "{ratelimit_limit: 60, ratelimit_window_s: 3600}") : text);
             PrometheusServer prometheus = PrometheusServer.start(dir, gw.gateway().port(), List.of(RULES.toAbsolutePath()))) {
            prometheus.await("up{job=\"omnisql\"} == 1", DEADLINE);
            load(gw, prometheus);

            Map<String, String> expressions = new LinkedHashMap<>();
            dashboardExpressions().forEach(e -> expressions.put("dashboard: " + e, e.replace("$__rate_interval", "1m")));
            alertSignals().forEach((alert, signal) -> expressions.put("alert " + alert + ": " + signal, signal));
            List<String> empty = new ArrayList<>();
            long end = System.nanoTime() + DEADLINE.toNanos();
            do {
                empty.clear();
                for (Map.Entry<String, String> e : expressions.entrySet()) {
                    if (prometheus.query(e.getValue()).isEmpty()) {
                        empty.add(e.getKey());
                    }
                }
                if (!empty.isEmpty()) {
                    Thread.sleep(500);
                }
            } while (!empty.isEmpty() && System.nanoTime() < end);
            assertThat(empty).as("expressions without data after %s", DEADLINE).isEmpty();

            Set<String> active = new TreeSet<>();
            do {
                active.clear();
                for (JsonNode a : prometheus.get("/api/v1/alerts").get("data").get("alerts")) {
                    active.add(a.get("labels").get("alertname").asText());
                }
            } while (!active.containsAll(PROVOKED) && System.nanoTime() < end && sleep());
            assertThat(active).as("pending or firing alerts").containsAll(PROVOKED)
                    .doesNotContain("OmniSQLDown");
            assertThat(prometheus.get("/api/v1/rules").get("data").get("groups").get(0).get("rules"))
                    .allSatisfy(r -> assertThat(r.get("health").asText()).as(r.toString()).isEqualTo("ok"));
        }
    }

    private static final Set<String> PROVOKED = Set.of("OmniSQLHighErrorRatio", "OmniSQLUpstreamQuotaLow",
            "OmniSQLConfigReloadFailing", "OmniSQLStaleDataServed");

    /** Traffic that gives every series of the dashboard and every alert signal something to show. */
    private static void load(GatewayHarness gw, PrometheusServer prometheus) throws Exception {
        String token = gw.token();
        String pulls = "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/infra'";
        assertThat(gw.query(token, pulls, 0).status()).isEqualTo(200);                   // miss
        assertThat(gw.query(token, pulls).status()).isEqualTo(200);                      // hit
        for (String project : List.of("WEB", "PLAT")) {
            assertThat(gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = '" + project + "'").status())
                    .isEqualTo(200);
        }
        assertThat(gw.get("/v1/catalog", token).status()).isEqualTo(200);
        assertThat(gw.get("/health/ready", null).status()).isEqualTo(200);
        assertThat(gw.query(token, "SELEC nothing").status()).isEqualTo(400);
        assertThat(gw.get("/no/such/route", null).status()).isEqualTo(404);

        // GitHub fails: cached data is served stale on request, uncached data fails with 502.
        assertThat(gw.edit("catalog.yaml", t -> GatewayHarness.withGithubFaults(t, "{ratelimit_limit: 60, ratelimit_window_s: 3600, error_every: 1}")))
                .isTrue();
        ObjectNode stale = JSON.createObjectNode().put("sql", pulls).put("max_staleness_ms", 0).put("allow_stale", true);
        GatewayHarness.Response served = gw.post("/v1/query", token, stale.toString());
        assertThat(served.status()).as(served.text()).isEqualTo(200);
        String uncached = "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/web-app'";
        assertThat(gw.query(token, uncached, 0).status()).isEqualTo(502);
        // A series is born at its first count: rate() sees the second one, once Prometheus has stored the first.
        prometheus.await("http_requests_total{status=\"502\"}", DEADLINE);
        GatewayHarness.Response failed = gw.query(token, uncached, 0);
        assertThat(failed.status()).as(failed.text()).isEqualTo(502);

        // GitHub's quota runs out: the answer is a refusal naming the source.
        assertThat(gw.edit("catalog.yaml", t -> GatewayHarness.withGithubFaults(t, "{ratelimit_limit: 1, ratelimit_window_s: 3600}"))).isTrue();
        GatewayHarness.Response refused = gw.query(token, "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/mobile-app'", 0);
        assertThat(refused.errorCode()).as(refused.text()).isEqualTo("RATE_LIMIT_EXHAUSTED");

        // A broken edit is rejected (the previous configuration stays in force).
        assertThat(gw.edit("policies.yaml", t -> t + "\n  this is: [not valid yaml\n")).isFalse();
        System.gc(); // the gateway shares this JVM: a collection for jvm_gc_pause_seconds
    }

    private static List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        List<String> out = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.get("expr").asText());
            }
        }
        assertThat(out).hasSizeGreaterThan(20);
        return out;
    }

    /**
     * Alert name to the signal of its expression: every rule is written "{@code signal <op> threshold}" (a single
     * top-level comparison, checked here), and the signal must return data for the alert to be able to fire.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, String> alertSignals() throws Exception {
        Map<String, Object> doc = new Yaml().load(Files.readString(RULES));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String expr = rule.get("expr").toString().strip();
                int op = lastTopLevelComparison(expr);
                assertThat(op).as("alert %s: expected 'signal > threshold', got %s", rule.get("alert"), expr).isPositive();
                out.put(rule.get("alert").toString(), expr.substring(0, op).strip());
            }
        }
        return out;
    }

    private static int lastTopLevelComparison(String expr) {
        int depth = 0;
        int found = -1;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (depth == 0 && (c == '>' || c == '<') && i > 0 && expr.charAt(i - 1) == ' ') {
                found = i;
            }
        }
        return found;
    }


    private static boolean sleep() throws InterruptedException {
        Thread.sleep(500);
        return true;
    }
}
