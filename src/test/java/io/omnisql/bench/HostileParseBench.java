package io.omnisql.bench;

import io.omnisql.GatewayHarness;
import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.error.QueryException;
import io.omnisql.plan.Planner;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Issue 13's figures: parse time against parenthesis nesting (statements the simple mode parses, and ones it
 * rejects so the complex mode is tried under parse_timeout_ms), parse time against statement size, and the heap
 * after many distinct large statements sent to /v1/explain (the plan cache is bounded by bytes, so it must stay
 * flat). Prints the load average: timings on a shared machine are noisy.
 *
 * <p>Run from the project root: {@code BENCH_JAVA_OPTS=-Xmx1g bin/bench-engine HostileParseBench [STATEMENTS] [CHARS]}
 * (defaults 10000 and 99000).
 */
public final class HostileParseBench {
    private HostileParseBench() {
    }

    public static void main(String[] args) throws Exception {
        int statements = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int chars = args.length > 1 ? Integer.parseInt(args[1]) : 99_000;
        Map<String, Object> figures = new LinkedHashMap<>();
        System.out.println("load average " + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Catalog catalog = ConfigStore.open(Path.of(".")).current().catalog();
        try (Planner planner = new Planner()) {
            for (int i = 0; i < 200; i++) {
                planner.plan("SELECT number FROM github.pull_requests WHERE state = 'open' AND number > " + i, catalog);
            }
            Map<String, Object> nesting = new LinkedHashMap<>();
            for (int depth : new int[] {1, 2, 4, 8, 10, 11, 16, 32, 64, 65, 200}) {
                String sql = "SELECT " + "(".repeat(depth) + "7" + ")".repeat(depth) + " FROM github.pull_requests";
                nesting.put("depth_" + depth, time(planner, catalog, sql, 20));
            }
            figures.put("nesting_ms", nesting);
            System.out.println("parse ms by nesting (simple mode):       " + nesting);
            Map<String, Object> failing = new LinkedHashMap<>();
            for (int depth : new int[] {2, 4, 6, 8, 10, 11}) {
                String sql = "SELECT " + "(".repeat(depth) + "7" + ")".repeat(depth) + " + FROM github.pull_requests";
                failing.put("depth_" + depth, time(planner, catalog, sql, 3));
            }
            figures.put("complex_fallback_ms", failing);
            System.out.println("parse ms by nesting (complex fallback):  " + failing);
            Map<String, Object> size = new LinkedHashMap<>();
            for (int n : new int[] {1_000, 10_000, 50_000, 99_000, 100_001}) {
                StringBuilder sql = new StringBuilder("SELECT number FROM github.pull_requests WHERE title IN ('t0'");
                for (int i = 1; sql.length() < n - 2; i++) {
                    sql.append(", 't").append(i).append('\'');
                }
                sql.append(')');
                size.put("chars_" + sql.length(), time(planner, catalog, sql.toString(), 10));
            }
            figures.put("size_ms", size);
            System.out.println("parse ms by size (IN list):              " + size);
        }
        figures.put("heap_mb_after_distinct_statements", heap(statements, chars));
        BenchOutput.write("hostile-parse", figures);
    }

    /** Median milliseconds of planning {@code sql} (refusals count: they are answers too), with the outcome. */
    private static String time(Planner planner, Catalog catalog, String sql, int runs) {
        long[] samples = new long[runs];
        String outcome = "planned";
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            try {
                planner.plan(sql, catalog);
            } catch (QueryException e) {
                outcome = e.code().name();
            }
            samples[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(samples);
        return String.format("%.2f (%s)", samples[runs / 2] / 1e6, outcome);
    }

    /** Heap used after a full GC, every quarter of {@code statements} distinct {@code chars}-long explains. */
    private static Map<String, Object> heap(int statements, int chars) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        try (GatewayHarness gw = GatewayHarness.start()) {
            String token = gw.token("bench", "mobile", "admin", "");
            String filler = "x".repeat(chars - 120);
            out.put("0", usedMb());
            long t0 = System.nanoTime();
            for (int i = 1; i <= statements; i++) {
                String sql = "SELECT number FROM github.pull_requests WHERE title = '" + i + filler + "'";
                GatewayHarness.Response r = gw.post("/v1/explain", token,
                        GatewayHarness.JSON.createObjectNode().put("sql", sql).toString());
                if (r.status() != 200) {
                    throw new IllegalStateException("explain failed: " + r.text());
                }
                if (i % Math.max(1, statements / 4) == 0) {
                    out.put(String.valueOf(i), usedMb());
                    System.out.printf("after %d distinct %d-char statements: heap %d MB (%.0f statements/s)%n", i, chars,
                            usedMb(), i / ((System.nanoTime() - t0) / 1e9));
                }
            }
        }
        return out;
    }

    private static long usedMb() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }
}
