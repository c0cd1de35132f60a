package io.omnisql.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnisql.GatewayHarness;
import io.omnisql.sim.SimulatorStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Join-driven pushdown against the full-scan plan at SCALE times the demo data (default 10: 100,000 Jira
 * issues): a selective seed (one team's Jira Cloud issues in review, the newest ~50 by creation) joined on
 * key to Jira Data Center issues. Each plan runs N times (default 5) live ({@code max_staleness_ms: 0});
 * printed: Jira requests per query (seed and target together, counted at the simulator), latency, and whether
 * the answers are identical. The first run of all is a full scan (no last fetch to estimate from) and is not
 * counted.
 *
 * <p>Run from the project root: {@code bin/bench-engine JoinPushdownBench 5 10 0} (N, SCALE, LATENCY_MS).
 */
public final class JoinPushdownBench {
    private JoinPushdownBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int scale = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int latency = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        try (GatewayHarness gw = GatewayHarness.start((file, text) -> switch (file) {
            case "catalog.yaml" -> text.replaceAll("(?m)^(    latency_ms:) *\\d+", "$1 " + latency)
                    .replaceFirst("(?m)^(    pull_requests:) *\\d+", "$1 " + 5_000 * scale)
                    .replaceFirst("(?m)^(    issues:) *\\d+", "$1 " + 10_000 * scale)
                    .replaceFirst("(?m)^(  max_rows_per_table:) *\\d+", "$1 " + 20_000 * scale);
            case "ratelimits.yaml" -> text
                    .replaceFirst("(?s)(gateway:.*?\n  default: )\\{[^}]*}", "$1{burst: 1000000, refill_per_second: 1000000}")
                    .replaceAll("(?m)^(  (github|jira|jira_dc): )\\{.*}$", "$1{burst: 100000, refill_per_second: 100000, max_concurrency: 64}");
            default -> text;
        })) {
            String token = gw.token("bench", "mobile", "analyst", "");
            String filter = "project = 'MOB' AND status = 'In Review'";
            JsonNode since = query(gw, token, "SELECT created_at FROM jira.issues WHERE " + filter
                    + " ORDER BY created_at DESC LIMIT 1 OFFSET 49").at("/rows/0/0");
            String sql = "SELECT i.key, i.summary, d.status AS dc_status, d.assignee FROM jira.issues i "
                    + "JOIN jira_dc.issues d ON d.key = i.key WHERE i.project = 'MOB' AND i.status = 'In Review' "
                    + "AND i.created_at >= TIMESTAMP '" + since.asText() + "' ORDER BY i.key";
            query(gw, token, sql); // the full scan the estimate reads
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("scale", scale);
            figures.put("simulator_latency_ms", latency);
            figures.put("sql", sql);
            ObjectNode explain = (ObjectNode) gw.post("/v1/explain", token, body(sql)).body();
            figures.put("explain_join_pushdown", explain.get("join_pushdown").toString());
            System.out.println("explain: " + explain.get("join_pushdown"));
            JsonNode pushedRows = run(gw, token, sql, n, "join_pushdown", figures);
            gw.edit("catalog.yaml", c -> c.replace("defaults:\n", "defaults:\n  join_pushdown: false\n"));
            JsonNode fullRows = run(gw, token, sql, n, "full_scan", figures);
            boolean same = pushedRows.equals(fullRows);
            figures.put("answers_identical", same);
            figures.put("rows", fullRows.size());
            figures.put("load_average", Files.readString(Path.of("/proc/loadavg")).trim());
            System.out.println("rows " + fullRows.size() + ", answers identical: " + same + ", load average "
                    + figures.get("load_average"));
            BenchOutput.write("join-pushdown-x" + scale + "-" + latency + "ms", figures);
            if (!same) {
                throw new IllegalStateException("join pushdown changed the answer");
            }
        }
    }

    private static JsonNode run(GatewayHarness gw, String token, String sql, int n, String label, Map<String, Object> figures) {
        long[] nanos = new long[n];
        long requests = 0;
        JsonNode rows = null;
        for (int i = 0; i < n; i++) {
            SimulatorStats before = gw.gateway().simulators().stats();
            long start = System.nanoTime();
            rows = query(gw, token, sql).get("rows");
            nanos[i] = System.nanoTime() - start;
            SimulatorStats after = gw.gateway().simulators().stats();
            requests += after.jiraRequests() - before.jiraRequests();
        }
        Stats stats = Stats.of(nanos);
        System.out.println(label + ": " + (double) requests / n + " Jira requests per query; latency " + stats);
        figures.put(label + "_requests_per_query", (double) requests / n);
        figures.put(label + "_latency", stats.json());
        return rows;
    }

    private static String body(String sql) {
        return GatewayHarness.JSON.createObjectNode().put("sql", sql).put("max_staleness_ms", 0).toString();
    }

    private static JsonNode query(GatewayHarness gw, String token, String sql) {
        GatewayHarness.Response r = gw.post("/v1/query", token, body(sql));
        if (r.status() != 200) {
            throw new IllegalStateException(r.text());
        }
        return r.body();
    }
}
