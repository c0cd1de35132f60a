package io.omnisql.bench;

import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.connector.FetchResult;
import io.omnisql.connector.HttpConnector;
import io.omnisql.connector.PageListener;
import io.omnisql.connector.RequestBuilder;
import io.omnisql.connector.SourceRequest;
import io.omnisql.ratelimit.RateLimitSettings;
import io.omnisql.ratelimit.RateLimiter;
import io.omnisql.sim.SimulatorSettings;
import io.omnisql.sim.Simulators;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Connector figures for BENCHMARKS: rows/s of full GitHub and Jira fetches over loopback, and fetch time from 1 to
 * 100 pages with 50 ms upstream latency per request (how pages and repositories overlap). Runs the real
 * connector against the embedded simulators with the shipped catalog.yaml and ratelimits.yaml; a fresh connector
 * per run, so no page is revalidated from an earlier one. See BENCHMARKS.md, "Connector benchmarks", for the command.
 */
public final class ConnectorBench {
    private static final int RUNS = 5;

    private ConnectorBench() {
    }

    public static void main(String[] args) throws Exception {
        try (ConfigStore config = ConfigStore.open(Path.of(""))) {
            Catalog catalog = config.current().catalog();
            RateLimitSettings limits = RateLimitSettings.fromYaml(Files.readString(Path.of("ratelimits.yaml")));
            System.out.println("## Throughput over loopback (no added latency), median of " + RUNS + " runs");
            System.out.println("| table | rows | pages | median ms | rows/s |");
            System.out.println("|---|---:|---:|---:|---:|");
            try (Simulators sims = Simulators.start(settings(0, 5000, 10000))) {
                for (String table : List.of("github.pull_requests", "jira.issues", "jira_dc.issues")) {
                    Result r = measure(sims, catalog, limits, table);
                    System.out.printf("| %s | %d | %d | %d | %.0f |%n", table, r.rows, r.pages, r.medianMs,
                            r.rows * 1000.0 / Math.max(1, r.medianMs));
                }
            }
            System.out.println();
            System.out.println("## Fetch time vs pages, 50 ms latency per upstream request, median of " + RUNS + " runs");
            System.out.println("| pages (100 rows each) | github.pull_requests: 4 repos x 2 states, Link pages | "
                    + "jira.issues: 3 project streams, nextPageToken (sequential) within each | jira_dc.issues: 3 project streams, startAt/total (parallel) |");
            System.out.println("|---:|---:|---:|---:|");
            for (int pages : new int[] {1, 10, 25, 50, 100}) {
                // GitHub has at least one request per stream (8); the actual page count is printed.
                try (Simulators sims = Simulators.start(settings(50, pages * 100, pages * 100))) {
                    Result gh = measure(sims, catalog, limits, "github.pull_requests");
                    Result cloud = measure(sims, catalog, limits, "jira.issues");
                    Result dc = measure(sims, catalog, limits, "jira_dc.issues");
                    System.out.printf("| %d | %d ms (%d pages) | %d ms (%d pages) | %d ms (%d pages) |%n", pages,
                            gh.medianMs, gh.pages, cloud.medianMs, cloud.pages, dc.medianMs, dc.pages);
                }
            }
        }
    }

    private record Result(long rows, int pages, long medianMs) {
    }

    private static Result measure(Simulators sims, Catalog catalog, RateLimitSettings limits, String tableName) {
        Catalog.TableDef table = catalog.table(tableName).orElseThrow();
        Catalog.SourceDef source = catalog.sources().get(table.source());
        URI base = source.baseUrl().equals("embedded:github") ? sims.githubBaseUrl() : sims.jiraBaseUrl();
        Set<String> columns = table.columns().stream().filter(c -> !c.isPerRow()).map(Catalog.ColumnDef::name)
                .collect(Collectors.toSet());
        SourceRequest request = RequestBuilder.build(table, source, base, columns, List.of());
        long[] ms = new long[RUNS];
        FetchResult last = null;
        for (int i = -1; i < RUNS; i++) {
            // A fresh limiter and connector per run: full buckets, no stored ETags. Run -1 warms up the JIT.
            HttpConnector connector = new HttpConnector(s -> base, name -> null, RateLimiter.create(limits));
            long start = System.nanoTime();
            last = connector.fetch(request, System.nanoTime() + 120_000_000_000L, PageListener.NONE, rows -> { });
            if (i >= 0) {
                ms[i] = (System.nanoTime() - start) / 1_000_000;
            }
        }
        Arrays.sort(ms);
        return new Result(last.rows(), last.pages(), ms[RUNS / 2]);
    }

    private static SimulatorSettings settings(int latencyMs, int pullRequests, int issues) {
        Map<String, Object> github = Map.of("latency_ms", latencyMs, "pull_requests", pullRequests);
        Map<String, Object> jira = Map.of("latency_ms", latencyMs, "issues", issues);
        return SimulatorSettings.fromMap(new java.util.HashMap<>(Map.of("github", github, "jira", jira)));
    }
}
