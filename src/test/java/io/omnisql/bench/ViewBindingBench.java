package io.omnisql.bench;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.ColumnType;
import io.omnisql.exec.Engine;
import io.omnisql.exec.TableWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What binding each reference to its own per-query view costs a statement DuckDB runs (paid on a result-cache
 * miss only): a two-reference governed join over 5,000-row tables, once with the governed subqueries inlined
 * in the text (the shape before views) and once over two per-query views, interleaved so machine load hits
 * both alike.
 *
 * <p>Run from the project root: {@code bin/bench-engine ViewBindingBench [N]} (default 2000 of each).
 */
public final class ViewBindingBench {
    private ViewBindingBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        try (Engine engine = new Engine(new Engine.Settings(2, "512MB", Engine.Lanes.DEFAULT))) {
            List<ColumnDef> columns = List.of(new ColumnDef("team_id", ColumnType.VARCHAR, "t", "", "", Map.of(), null, ""),
                    new ColumnDef("n", ColumnType.BIGINT, "n", "", "", Map.of(), null, ""));
            Map<String, String> views = new LinkedHashMap<>();
            for (int t = 0; t < 2; t++) {
                try (TableWriter writer = engine.create(columns)) {
                    List<Object[]> rows = new ArrayList<>();
                    for (int i = 0; i < 5000; i++) {
                        rows.add(new Object[] {i % 3 == 0 ? "web" : "mobile", (long) i});
                    }
                    writer.append(rows);
                    views.put("omni_bench_" + t, "SELECT \"team_id\", \"n\" FROM " + writer.finish().name() + " WHERE (\"team_id\" = 'web')");
                }
            }
            String join = "SELECT count(*), sum(a.n) FROM %s a JOIN %s b ON a.n = b.n";
            String inline = String.format(join, "(" + views.get("omni_bench_0") + ")", "(" + views.get("omni_bench_1") + ")");
            String overViews = String.format(join, "omni_bench_0", "omni_bench_1");
            long[] inlined = new long[n];
            long[] viewed = new long[n];
            for (int i = -n / 4; i < n; i++) { // the first quarter warms up
                long t0 = System.nanoTime();
                engine.query(inline, Map.of(), System.nanoTime() + 10_000_000_000L, 100, 1 << 20);
                long t1 = System.nanoTime();
                engine.query(overViews, views, System.nanoTime() + 10_000_000_000L, 100, 1 << 20);
                long t2 = System.nanoTime();
                if (i >= 0) {
                    inlined[i] = t1 - t0;
                    viewed[i] = t2 - t1;
                }
            }
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("inline_subqueries", Stats.of(inlined).json());
            figures.put("per_query_views", Stats.of(viewed).json());
            System.out.printf("inline subqueries %s%nper-query views   %s%n", Stats.of(inlined), Stats.of(viewed));
            BenchOutput.write("view-binding", figures);
        }
    }
}
