package io.omnisql.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import io.omnisql.RequiredTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every k6 script for a few seconds at a low rate against a real gateway, so the scripts cannot rot:
 * each must finish with exit code 0 (all its thresholds and checks met) and write its JSON summary.
 * Latency thresholds are relaxed here; the speed targets are measured by bin/bench, not by tests.
 * k6 comes from $K6_BIN (bin/test sets it), else k6 on PATH, else ../shared/tools/k6; without one the tests are
 * skipped with a banner on the build's console ({@link RequiredTool}): k6 is the one tool only the user can install.
 */
class K6SmokeTest {
    private static final Path OUT = Path.of("target", "k6-smoke");
    private static final RequiredTool K6 = RequiredTool.userInstalled("k6",
            "install k6 v0.48+ (https://grafana.com/docs/k6/latest/set-up/install-k6/) on PATH, or set K6_BIN");
    private static GatewayHarness gw;
    private static String k6;

    @BeforeAll
    static void start() throws Exception {
        k6 = K6.find(RequiredTool.candidates("K6_BIN", "k6", Path.of("..", "shared", "tools", "k6"))).toString();
        Files.createDirectories(OUT);
        gw = GatewayHarness.start();
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void queryLoadScriptMeetsItsChecksAtLowRate() throws Exception {
        JsonNode summary = run("query-load", Map.of("RATE", "20", "DURATION", "5s", "PRINCIPALS", "20",
                "P50_MS", "2000", "P99_MS", "10000"));
        assertThat(summary.at("/figures/requests").asLong()).isGreaterThanOrEqualTo(50);
        assertThat(summary.at("/figures/unexpected_error_codes").asLong()).isZero();
        assertThat(summary.at("/figures/checks_pass_rate").asDouble()).isGreaterThan(0.99);
    }

    @Test
    void liveLoadScriptReportsFetchTimePerSource() throws Exception {
        JsonNode summary = run("live-load", Map.of("RATE", "2", "DURATION", "5s", "PRINCIPALS", "10",
                "P50_MS", "10000", "P99_MS", "30000"));
        assertThat(summary.at("/figures/fetch_ms").has("github.pull_requests")).as(summary.toString()).isTrue();
        assertThat(summary.at("/figures/fetch_ms").has("jira.issues")).isTrue();
        // 51 upstream pages never take 0 ms.
        assertThat(summary.at("/metrics/fetch_ms_github_pull_requests/values/max").asDouble()).isPositive();
    }

    @Test
    void healthLoadScriptMeasuresTheCeiling() throws Exception {
        JsonNode summary = run("health-load", Map.of("VUS", "2", "DURATION", "2s"));
        assertThat(summary.at("/figures/achieved_rate").asDouble()).isPositive();
        assertThat(summary.at("/figures/http_req_failed_rate").asDouble()).isZero();
    }

    @Test
    void rateLimitScriptSeesExactlyTheBurstPass() throws Exception {
        // The script's figures are only meaningful while the gateway enforces per-principal buckets on /v1/query.
        assertThat(gatewayRefusesOverBurst()).as("a principal's queries beyond its burst of 50 are refused with 429").isTrue();
        JsonNode summary = run("rate-limit", Map.of());
        assertThat(summary.at("/figures/passed").asLong()).isBetween(50L, 50L + summary.at("/figures/refill_allowance").asLong());
        assertThat(summary.at("/figures/limited").asLong()).isEqualTo(75 - summary.at("/figures/passed").asLong());
    }

    /** k6 exits 0 only when every threshold (checks included) held; its summary is then parsed. */
    private static JsonNode run(String script, Map<String, String> env) throws IOException, InterruptedException {
        Path summary = OUT.resolve(script + ".json").toAbsolutePath();
        Files.deleteIfExists(summary);
        List<String> cmd = new ArrayList<>(List.of(k6, "run", "--quiet", "--no-color", "k6/" + script + ".js"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(OUT.resolve(script + ".log").toFile());
        pb.environment().putAll(env);
        pb.environment().put("BASE_URL", gw.uri("").toString());
        pb.environment().put("SUMMARY", summary.toString());
        pb.environment().put("K6_NO_USAGE_REPORT", "true");
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("k6 " + script + " still running after 180 s");
        }
        String log = Files.readString(OUT.resolve(script + ".log"));
        assertThat(p.exitValue()).as("k6 exit code of %s; output:%n%s", script, log).isZero();
        assertThat(summary).as(log).exists();
        JsonNode json = GatewayHarness.JSON.readTree(summary.toFile());
        assertThat(json.get("thresholds_ok").asBoolean()).as(json.get("thresholds").toString()).isTrue();
        assertThat(json.get("script").asText()).isEqualTo(script);
        return json;
    }

    private static boolean gatewayRefusesOverBurst() {
        String token = gw.token("smoke-probe-" + System.nanoTime(), "web", "analyst", "");
        // 50 pass at once, then 10/s refill: sending far faster than that meets a 429 within a few extra queries.
        for (int i = 0; i < 300; i++) {
            if (gw.query(token, "SELECT count(*) FROM jira.issues WHERE status = 'Done'").status() == 429) {
                return true;
            }
        }
        return false;
    }
}
