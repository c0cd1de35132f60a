package io.omnisql.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.connector.PageExtraction;
import io.omnisql.exec.Engine;
import io.omnisql.exec.MaterializedTable;
import io.omnisql.exec.TableWriter;
import io.omnisql.sim.SimulatorSettings;
import io.omnisql.sim.Simulators;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON page -> DuckDB ingest rate against a raw streaming parse of the same bytes.
 *
 * <p>The pages are the embedded GitHub simulator's real {@code /repos/{o}/{r}/pulls} pages (100 pull
 * requests each, ~4 KB of JSON per pull request), fetched once and cycled until ROWS rows (default 1,000,000)
 * went through. Ingest = what a fetch does with its pages: the connector's row extraction ({@link PageExtraction},
 * as HttpConnector runs it) of each page on one thread, handed page by page to a {@link TableWriter} that appends
 * while the next page is extracted (as the gateway does), one table per pass of all the pages (a 5,000-row
 * fetch), timed until the table is committed. "Extract, then load" is the same work done one after the other.
 * Raw parse = Jackson's streaming parser reading every token of the same pages and nothing else, on one thread.
 * The phases run interleaved (one pass of each in turn) so load from other processes affects them alike.
 *
 * <p>Run from the project root: {@code bin/bench-engine IngestBench [ROWS]}
 */
public final class IngestBench {
    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        int target = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Catalog catalog = ConfigStore.open(Path.of(".")).current().catalog();
        Catalog.TableDef table = catalog.table("github.pull_requests").orElseThrow();
        List<byte[]> pages = fetchPages(catalog);
        long bytesPerPass = pages.stream().mapToLong(p -> p.length).sum();
        int rowsPerPass = 0;
        PageExtraction all = new PageExtraction(table.columns(), catalog.mappings());
        for (byte[] p : pages) {
            rowsPerPass += all.rows(p, table.rowsPath()).size();
        }
        int passes = Math.max(1, (target + rowsPerPass - 1) / rowsPerPass);
        long rows = (long) passes * rowsPerPass;
        System.out.printf("%d pages, %d rows, %.1f MB per pass; %d passes = %d rows, %.0f MB of JSON%n",
                pages.size(), rowsPerPass, bytesPerPass / 1e6, passes, rows, passes * bytesPerPass / 1e6);

        List<Catalog.ColumnDef> joinColumns = table.columns().stream()
                .filter(c -> c.name().equals("pr_id") || c.name().equals("branch")).toList();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("rows", rows);
        figures.put("json_mb", Stats.round(passes * bytesPerPass / 1e6));
        try (Engine engine = new Engine(new Engine.Settings(2, "2GB", Engine.Lanes.DEFAULT))) {
            // Warm-up: let the JIT compile every path before timing.
            for (int i = 0; i < 3; i++) {
                rawParse(pages);
                ingest(engine, pages, table, table.columns(), catalog);
            }
            List<Object[]> extracted = new ArrayList<>();
            for (byte[] p : pages) {
                extracted.addAll(all.rows(p, table.rowsPath()));
            }
            ObjectMapper mapper = new ObjectMapper();
            // The machine is shared: phases run interleaved, one pass each in turn, so a slower moment
            // slows every phase alike instead of skewing the ratios.
            Map<String, Work> phases = new LinkedHashMap<>();
            phases.put("raw_parse_rows_per_s", () -> rawParse(pages));
            phases.put("tree_parse_rows_per_s", () -> {
                for (byte[] p : pages) {
                    mapper.readTree(p);
                }
            });
            phases.put("extract_all_columns_rows_per_s", () -> {
                for (byte[] p : pages) {
                    all.rows(p, table.rowsPath());
                }
            });
            phases.put("load_only_all_columns_rows_per_s", () -> engine.drop(load(engine, table.columns(), extracted)));
            phases.put("extract_then_load_all_columns_rows_per_s", () -> {
                List<Object[]> fetched = new ArrayList<>();
                for (byte[] p : pages) {
                    fetched.addAll(all.rows(p, table.rowsPath()));
                }
                engine.drop(load(engine, table.columns(), fetched));
            });
            phases.put("ingest_all_columns_rows_per_s", () -> ingest(engine, pages, table, table.columns(), catalog));
            phases.put("ingest_join_columns_rows_per_s", () -> ingest(engine, pages, table, joinColumns, catalog));
            Map<String, Long> nanos = new LinkedHashMap<>();
            for (int i = 0; i < passes; i++) {
                for (Map.Entry<String, Work> phase : phases.entrySet()) {
                    long start = System.nanoTime();
                    phase.getValue().run();
                    nanos.merge(phase.getKey(), System.nanoTime() - start, Long::sum);
                }
            }
            double raw = rows / (nanos.get("raw_parse_rows_per_s") / 1e9);
            for (Map.Entry<String, Long> e : nanos.entrySet()) {
                report(figures, e.getKey(), rows / (e.getValue() / 1e9), raw);
            }
            double ingestAll = rows / (nanos.get("ingest_all_columns_rows_per_s") / 1e9);
            double ingestJoin = rows / (nanos.get("ingest_join_columns_rows_per_s") / 1e9);
            figures.put("raw_parse_mb_per_s", Stats.round(passes * bytesPerPass / 1e6 / (nanos.get("raw_parse_rows_per_s") / 1e9)));
            figures.put("ingest_all_columns_pct_of_raw", Stats.round(100 * ingestAll / raw));
            figures.put("ingest_join_columns_pct_of_raw", Stats.round(100 * ingestJoin / raw));
        }
        BenchOutput.write("ingest", figures);
    }

    private static void report(Map<String, Object> figures, String name, double rowsPerS, double raw) {
        figures.put(name, Math.round(rowsPerS));
        System.out.printf("%-34s %,12.0f rows/s  (%5.1f %% of raw parse)%n", name, rowsPerS, 100 * rowsPerS / raw);
    }

    /** One fetch's worth of pages (every repository) extracted and appended page by page into one table. */
    private static void ingest(Engine engine, List<byte[]> pages, Catalog.TableDef table, List<Catalog.ColumnDef> columns,
                               Catalog catalog) throws Exception {
        PageExtraction extraction = new PageExtraction(columns, catalog.mappings());
        try (TableWriter writer = engine.create(columns)) {
            for (byte[] p : pages) {
                writer.append(extraction.rows(p, table.rowsPath()));
            }
            engine.drop(writer.finish());
        }
    }

    private static MaterializedTable load(Engine engine, List<Catalog.ColumnDef> columns, List<Object[]> rows) {
        try (TableWriter writer = engine.create(columns)) {
            writer.append(rows);
            return writer.finish();
        }
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    private static long rawParse(List<byte[]> pages) throws Exception {
        long tokens = 0;
        for (byte[] p : pages) {
            try (JsonParser parser = FACTORY.createParser(p)) {
                JsonToken t;
                while ((t = parser.nextToken()) != null) {
                    tokens += t.id();
                }
            }
        }
        return tokens;
    }

    private interface Work {
        void run() throws Exception;
    }

    /** Every page of every repository, as the simulator serves them to the connector. */
    private static List<byte[]> fetchPages(Catalog catalog) throws Exception {
        SimulatorSettings settings = SimulatorSettings.fromMap(catalog.simulators());
        List<byte[]> pages = new ArrayList<>();
        try (Simulators sims = Simulators.start(settings)) {
            HttpClient http = HttpClient.newHttpClient();
            for (String repo : settings.github().repos()) {
                for (int page = 1; ; page++) {
                    URI uri = URI.create(sims.githubBaseUrl() + "/repos/" + settings.github().org() + "/" + repo
                            + "/pulls?state=all&sort=created&direction=desc&per_page=100&page=" + page);
                    byte[] body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
                    if (body.length <= 2) {
                        break;
                    }
                    pages.add(body);
                }
            }
        }
        return pages;
    }
}
