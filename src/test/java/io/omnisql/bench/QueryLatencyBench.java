package io.omnisql.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end latency of POST /v1/query through a real gateway (loopback HTTP, embedded simulators),
 * one request at a time (low load):
 * <ul>
 *   <li>{@code cache [N]}: N (default 2000) requests of the k6 query mix after one warm-up request each, all
 *       served from the freshness and result caches (every source must answer {@code cache: hit});</li>
 *   <li>{@code live [N] [LATENCY_MS]}: N (default 1000) product-sheet joins with {@code max_staleness_ms: 0},
 *       each fetching both tables from the simulators, set to LATENCY_MS (default 0) per upstream request.</li>
 * </ul>
 * The bench's copy of ratelimits.yaml lifts the principal's gateway bucket and the source buckets (sized
 * for ~5 cold queries/s), so the figures are latency, not throttling. The principal is an analyst of team
 * web: its answers go through the shipped policies' team row filters.
 *
 * <p>Run from the project root: {@code bin/bench-engine QueryLatencyBench cache 2000},
 * {@code bin/bench-engine QueryLatencyBench live 1000 0}, {@code bin/bench-engine QueryLatencyBench live 300 50}.
 */
public final class QueryLatencyBench {
    private QueryLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "cache";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : mode.equals("live") ? 1000 : 2000;
        int latency = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        try (GatewayHarness gw = GatewayHarness.start((file, text) -> switch (file) {
            case "catalog.yaml" -> text.replaceAll("(?m)^(    latency_ms:) *\\d+", "$1 " + latency);
            case "ratelimits.yaml" -> text
                    .replaceFirst("(?s)(gateway:.*?\n  default: )\\{[^}]*}", "$1{burst: 1000000, refill_per_second: 1000000}")
                    .replaceAll("(?m)^(  (github|jira): )\\{.*}$", "$1{burst: 100000, refill_per_second: 100000, max_concurrency: 64}");
            default -> text;
        })) {
            String token = gw.token("bench", "web", "analyst", "");
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("mode", mode);
            figures.put("simulator_latency_ms", latency);
            if (mode.equals("live")) {
                live(gw, token, n, figures);
            } else {
                cache(gw, token, n, figures);
            }
            BenchOutput.write(mode.equals("live") ? "live-join-latency-" + latency + "ms" : "cache-hit-latency", figures);
        }
    }

    private static void cache(GatewayHarness gw, String token, int n, Map<String, Object> figures) {
        List<String> queries = List.copyOf(PlanBench.QUERIES.values());
        for (String sql : queries) {
            check(gw.query(token, sql, 3_600_000), null);
        }
        // JIT warm-up on the cached path.
        for (int i = 0; i < 2000; i++) {
            gw.query(token, queries.get(i % queries.size()), 3_600_000);
        }
        long[] all = new long[n];
        long[] join = new long[(n + queries.size() - 1) / queries.size()];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            GatewayHarness.Response r = gw.query(token, queries.get(i % queries.size()), 3_600_000);
            all[i] = System.nanoTime() - start;
            check(r, "hit");
            if (i % queries.size() == 0) {
                join[i / queries.size()] = all[i];
            }
        }
        System.out.println("cache hit, query mix:    " + Stats.of(all));
        System.out.println("cache hit, product join: " + Stats.of(join));
        figures.put("cache_hit_mix", Stats.of(all).json());
        figures.put("cache_hit_join", Stats.of(join).json());
    }

    private static void live(GatewayHarness gw, String token, int n, Map<String, Object> figures) {
        String sql = PlanBench.QUERIES.get("join");
        for (int i = 0; i < 20; i++) {
            check(gw.query(token, sql, 0), null);
        }
        long[] samples = new long[n];
        long[] github = new long[n];
        long[] jira = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            GatewayHarness.Response r = gw.query(token, sql, 0);
            samples[i] = System.nanoTime() - start;
            check(r, "miss");
            for (JsonNode s : r.body().at("/metadata/sources")) {
                if (s.get("cache").asText().equals("miss")) {
                    long[] into = s.get("table").asText().startsWith("github") ? github : jira;
                    into[i] = s.get("fetch_ms").asLong() * 1_000_000;
                }
            }
        }
        System.out.println("live product join:  " + Stats.of(samples));
        System.out.println("  github fetch_ms:  " + Stats.of(github));
        System.out.println("  jira fetch_ms:    " + Stats.of(jira));
        figures.put("live_join", Stats.of(samples).json());
        figures.put("github_fetch", Stats.of(github).json());
        figures.put("jira_fetch", Stats.of(jira).json());
    }

    /** A benchmark of wrong answers measures nothing: each must succeed, from where it is meant to come. */
    private static void check(GatewayHarness.Response r, String cache) {
        if (r.status() != 200) {
            throw new IllegalStateException("query answered " + r.status() + ": " + r.text());
        }
        if (cache != null) {
            for (JsonNode s : r.body().at("/metadata/sources")) {
                String c = s.get("cache").asText();
                if (!c.equals(cache) && !(cache.equals("miss") && c.equals("coalesced"))) {
                    throw new IllegalStateException("expected cache " + cache + " but got " + s);
                }
            }
        }
    }
}
