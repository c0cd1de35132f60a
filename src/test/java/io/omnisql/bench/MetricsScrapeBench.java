package io.omnisql.bench;

import io.omnisql.GatewayHarness;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one Prometheus scrape of {@code GET /metrics} costs a gateway that has answered a few queries: latency
 * (the JVM binders, the DuckDB memory gauge read at scrape time, every histogram) and size.
 *
 * <p>Run from the project root: {@code bin/bench-engine MetricsScrapeBench [SCRAPES]} (default 500).
 */
public final class MetricsScrapeBench {
    private MetricsScrapeBench() {
    }

    public static void main(String[] args) throws Exception {
        int scrapes = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        try (GatewayHarness gw = GatewayHarness.start()) {
            String token = gw.token();
            for (String project : new String[] {"MOB", "WEB", "PLAT"}) {
                gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = '" + project + "'");
            }
            gw.query(token, "SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/infra'");
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest scrape = HttpRequest.newBuilder(gw.uri("/metrics")).build();
            int bytes = 0;
            for (int i = 0; i < 50; i++) {
                bytes = http.send(scrape, HttpResponse.BodyHandlers.ofByteArray()).body().length;
            }
            long[] samples = new long[scrapes];
            for (int i = 0; i < scrapes; i++) {
                long start = System.nanoTime();
                http.send(scrape, HttpResponse.BodyHandlers.ofByteArray());
                samples[i] = System.nanoTime() - start;
            }
            Stats s = Stats.of(samples);
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            System.out.printf("metrics scrape %s, %d bytes, load average %.1f%n", s, bytes, load);
            Map<String, Object> figures = new LinkedHashMap<>(s.json());
            figures.put("bytes", bytes);
            figures.put("load_average", load);
            BenchOutput.write("metrics-scrape", figures);
        }
    }
}
