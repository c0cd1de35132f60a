package io.omnisql.bench;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import java.util.Arrays;

/**
 * How fast a cache hit answers through HTTP (target: well under 100 ms). A benchmark, not a test: run it with
 * {@code bin/bench-cache-hit} (or any classpath holding the test classes) and read the percentiles it prints.
 */
public final class CacheHitLatencyBenchmark {
    private static final String SQL = "SELECT gh.pr_id, jira.status FROM github.pull_requests gh "
            + "JOIN jira.issues jira ON gh.branch = jira.branch_name WHERE jira.status = 'In Progress'";

    private CacheHitLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        // An admin principal: the default gateway bucket (10/s) would throttle the loop.
        try (GatewayHarness gw = GatewayHarness.start()) {
            String token = gw.token("bench", "platform", "admin", "");
            Response cold = gw.query(token, SQL);
            System.out.printf("cold (live fetch of both sources): %d ms, HTTP %d%n",
                    cold.body().at("/metadata/elapsed_ms").asLong(), cold.status());
            // Distinct statements over the same cached tables, so the result cache does not answer.
            long[] ms = new long[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                Response r = gw.query(token, SQL + " AND gh.pr_id > " + (-i - 1));
                ms[i] = (System.nanoTime() - t0) / 1_000_000;
                if (r.status() != 200 || !r.text().contains("\"cache\":\"hit\"")) {
                    throw new IllegalStateException("not a cache hit: " + r.text());
                }
            }
            Arrays.sort(ms);
            System.out.printf("cache hits, %d runs, client-side ms: p50 %d, p90 %d, p99 %d, max %d%n", runs,
                    ms[runs / 2], ms[runs * 9 / 10], ms[Math.min(runs - 1, runs * 99 / 100)], ms[runs - 1]);
        }
    }
}
