package io.omnisql.bench;

import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.plan.Planner;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parse + plan time of {@link Planner#plan} (JSqlParser, catalog resolution, pushdown candidates) for the
 * queries of k6/query-load.js. The gateway caches plans per configuration version and SQL text, so this is
 * what the first request of a statement pays, not each request.
 *
 * <p>Run from the project root: {@code bin/bench-engine PlanBench [ITERATIONS]} (default 5000 per query).
 */
public final class PlanBench {
    static final Map<String, String> QUERIES = new LinkedHashMap<>();

    static {
        QUERIES.put("join", "SELECT gh.pr_id, jira.status FROM github.pull_requests gh JOIN jira.issues jira "
                + "ON gh.branch = jira.branch_name WHERE jira.status = \"In Progress\"");
        QUERIES.put("filter_prs", "SELECT number, title, author, created_at FROM github.pull_requests "
                + "WHERE repo = 'acme/web-app' AND state = 'open' ORDER BY created_at DESC LIMIT 50");
        QUERIES.put("aggregate", "SELECT repo, state, count(*) AS prs, count(merged_at) AS merged "
                + "FROM github.pull_requests GROUP BY repo, state ORDER BY repo, state");
        QUERIES.put("cte_window", "WITH open_prs AS (SELECT repo, author, created_at FROM github.pull_requests "
                + "WHERE state = 'open') SELECT repo, author, row_number() OVER (PARTITION BY repo ORDER BY created_at) "
                + "AS n FROM open_prs");
    }

    private PlanBench() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Catalog catalog = ConfigStore.open(Path.of(".")).current().catalog();
        Planner planner = new Planner();
        Map<String, Object> figures = new LinkedHashMap<>();
        for (Map.Entry<String, String> q : QUERIES.entrySet()) {
            for (int i = 0; i < iterations; i++) {
                planner.plan(q.getValue(), catalog);
            }
            long[] samples = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long start = System.nanoTime();
                planner.plan(q.getValue(), catalog);
                samples[i] = System.nanoTime() - start;
            }
            Stats s = Stats.of(samples);
            System.out.printf("plan %-12s %s%n", q.getKey(), s);
            figures.put(q.getKey(), s.json());
        }
        BenchOutput.write("plan", figures);
    }
}
