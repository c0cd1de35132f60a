package io.omnisql.bench;

import io.omnisql.GatewayHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small-query latency through HTTP with heavy statements beside it (issue #15): the small query
 * ({@code SELECT count(*) FROM github.pull_requests WHERE state = 'open' AND number >= -i}, cached table, a
 * different residual each time so DuckDB really runs it rather than the result cache answering) N times one
 * after another (default 300):
 * <ul>
 *   <li>alone;</li>
 *   <li>while one principal runs four heavy statements (async, the 3-way non-equi join);</li>
 *   <li>while four principals run one heavy statement each.</li>
 * </ul>
 * The heavy statements are cancelled between phases. Run: {@code bin/bench-engine FairShareBench 300}.
 */
public final class FairShareBench {
    static final String HEAVY = "SELECT count(*) FROM github.pull_requests a, github.pull_requests b, jira.issues c "
            + "WHERE a.number + b.number + length(c.key) = -1";

    /** The heavy statement's tables with its columns, in a join DuckDB finishes: warms their cache entries. */
    static final String WARM = "SELECT count(*) FROM github.pull_requests a, jira.issues c WHERE a.number + length(c.key) = -1";

    private FairShareBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        try (GatewayHarness gw = GatewayHarness.start((file, text) -> file.equals("ratelimits.yaml")
                ? text.replaceFirst("(?s)(gateway:.*?\n  default: )\\{[^}]*}", "$1{burst: 1000000, refill_per_second: 1000000}")
                : text)) {
            String light = gw.token("light", "web", "analyst", "");
            Map<String, Object> figures = new LinkedHashMap<>();
            // Warm: the heavy statement's tables (it times out), the small query's table, the JIT.
            post(gw, gw.token("warm", "web", "analyst", ""), WARM, 60_000, false);
            gw.query(light, "SELECT count(*) FROM github.pull_requests WHERE state = 'open' AND number >= -1", 3_600_000);
            small(gw, light, 500);
            figures.put("alone", phase(gw, light, n, "alone", List.of()));
            String one = gw.token("heavy-0", "web", "analyst", "");
            figures.put("beside_4_heavy_one_principal", phase(gw, light, n, "4 heavy, 1 principal", List.of(one, one, one, one)));
            List<String> four = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                four.add(gw.token("heavy-" + i, "web", "analyst", ""));
            }
            figures.put("beside_4_heavy_four_principals", phase(gw, light, n, "4 heavy, 4 principals", four));
            figures.put("load_average", Files.readString(Path.of("/proc/loadavg")).trim());
            System.out.println("load average: " + figures.get("load_average"));
            BenchOutput.write("fair-share-small-query", figures);
        }
    }

    private static Object phase(GatewayHarness gw, String light, int n, String name, List<String> heavies) throws Exception {
        List<String[]> running = new ArrayList<>();
        for (String token : heavies) {
            GatewayHarness.Response r = post(gw, token, HEAVY, 120_000, true);
            if (r.status() != 202) {
                throw new IllegalStateException("heavy submit answered " + r.status() + ": " + r.text());
            }
            running.add(new String[] {token, r.body().get("id").asText()});
        }
        Thread.sleep(heavies.isEmpty() ? 0 : 500); // let them reach DuckDB
        long[] samples = small(gw, light, n);
        var engine = gw.gateway().engine();
        String lanes = "short " + engine.load(io.omnisql.exec.Lane.SHORT) + ", long " + engine.load(io.omnisql.exec.Lane.LONG)
                + ", demotions " + engine.demotions();
        for (String[] h : running) {
            String state = gw.get("/v1/queries/" + h[1], h[0]).body().get("state").asText();
            if (!state.equals("executing") && !state.equals("queued")) {
                throw new IllegalStateException("a heavy query ended during the phase (" + state + "): figures invalid");
            }
            gw.delete("/v1/queries/" + h[1], h[0]);
        }
        // Cancelled statements must leave DuckDB: the next phase starts from an idle engine.
        long until = System.nanoTime() + 10_000_000_000L;
        while (engine.load(io.omnisql.exec.Lane.LONG).running() + engine.load(io.omnisql.exec.Lane.LONG).queued() > 0) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("cancelled heavy statements still hold the long lane: "
                        + engine.load(io.omnisql.exec.Lane.LONG));
            }
            Thread.sleep(10);
        }
        Stats stats = Stats.of(samples);
        System.out.printf("small query, %-22s %s%n    lanes at the end: %s%n", name + ":", stats, lanes);
        return stats.json();
    }

    private static long[] small(GatewayHarness gw, String token, int n) {
        long[] samples = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            GatewayHarness.Response r = gw.query(token, "SELECT count(*) FROM github.pull_requests WHERE state = 'open' AND number >= -" + i, 3_600_000);
            samples[i] = System.nanoTime() - start;
            if (r.status() != 200 || !r.body().at("/metadata/sources/0/cache").asText().equals("hit")) {
                throw new IllegalStateException("small query answered " + r.status() + ": " + r.text());
            }
        }
        return samples;
    }

    private static GatewayHarness.Response post(GatewayHarness gw, String token, String sql, long timeoutMs, boolean async) {
        return gw.post("/v1/query", token, GatewayHarness.JSON.createObjectNode().put("sql", sql).put("timeout_ms", timeoutMs)
                .put("max_staleness_ms", 3_600_000).put("async", async).toString());
    }
}
