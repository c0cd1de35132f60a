package io.omnisql.bench;

import io.omnisql.GatewayHarness;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The cached product-sheet join, one query at a time, over the Postgres wire protocol (pgjdbc, one prepared
 * statement, server-prepared after its fifth run) against POST /v1/query on the same gateway in the same run.
 * Iterations alternate between the two so machine noise hits both alike; each reads every row of the answer.
 * Buckets are lifted as in {@link QueryLatencyBench}, so the figures are latency, not throttling.
 *
 * <p>Run from the project root (pgjdbc is a test dependency, hence the test classpath):
 * {@code ./mvnw -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-cp.txt
 * -Dmdep.includeScope=test && java --enable-native-access=ALL-UNNAMED -cp "target/test-classes:target/classes:$(cat
 * target/test-cp.txt)" io.omnisql.bench.WireVsHttpBench 2000}
 */
public final class WireVsHttpBench {
    private WireVsHttpBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        String sql = PlanBench.QUERIES.get("join");
        try (GatewayHarness gw = GatewayHarness.start((file, text) -> switch (file) {
            case "ratelimits.yaml" -> text
                    .replaceFirst("(?s)(gateway:.*?\n  default: )\\{[^}]*}", "$1{burst: 1000000, refill_per_second: 1000000}")
                    .replaceAll("(?m)^(  (github|jira): )\\{.*}$", "$1{burst: 100000, refill_per_second: 100000, max_concurrency: 64}");
            default -> text;
        })) {
            String token = gw.token("bench", "web", "analyst", "");
            Properties p = new Properties();
            p.setProperty("user", "bench");
            p.setProperty("password", token);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + gw.gateway().pgPort() + "/omnisql", p);
                 PreparedStatement ps = c.prepareStatement(sql)) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET omnisql.max_staleness_ms = 3600000");
                }
                int httpRows = http(gw, token, sql);
                int wireRows = wire(ps);
                if (httpRows != wireRows || wireRows == 0) {
                    throw new IllegalStateException("row counts differ: http " + httpRows + ", wire " + wireRows);
                }
                for (int i = 0; i < 2000; i++) {
                    http(gw, token, sql);
                    wire(ps);
                }
                long[] httpNanos = new long[n];
                long[] wireNanos = new long[n];
                for (int i = 0; i < n; i++) {
                    long start = System.nanoTime();
                    http(gw, token, sql);
                    httpNanos[i] = System.nanoTime() - start;
                    start = System.nanoTime();
                    wire(ps);
                    wireNanos[i] = System.nanoTime() - start;
                }
                double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
                System.out.println("cached join, " + wireRows + " rows, load average " + load);
                System.out.println("http (POST /v1/query):        " + Stats.of(httpNanos));
                System.out.println("wire (pgjdbc, prepared):      " + Stats.of(wireNanos));
                Map<String, Object> figures = new LinkedHashMap<>();
                figures.put("rows", wireRows);
                figures.put("load_average", load);
                figures.put("http", Stats.of(httpNanos).json());
                figures.put("wire", Stats.of(wireNanos).json());
                BenchOutput.write("wire-vs-http-cached-join", figures);
            }
        }
    }

    private static int http(GatewayHarness gw, String token, String sql) {
        GatewayHarness.Response r = gw.query(token, sql, 3_600_000);
        if (r.status() != 200) {
            throw new IllegalStateException(r.text());
        }
        return r.body().get("rows").size();
    }

    private static int wire(PreparedStatement ps) throws java.sql.SQLException {
        int rows = 0;
        try (ResultSet rs = ps.executeQuery()) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int c = 1; c <= cols; c++) {
                    rs.getObject(c);
                }
                rows++;
            }
        }
        return rows;
    }
}
