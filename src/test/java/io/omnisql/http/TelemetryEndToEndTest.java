package io.omnisql.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.observe.OtlpReceiver;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Metrics, traces and trace ids as an SRE sees them, through a real gateway and a real OTLP receiver. */
class TelemetryEndToEndTest {
    private static OtlpReceiver receiver;
    private static GatewayHarness gw;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        receiver = new OtlpReceiver();
        String endpoint = receiver.tracesUrl();
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml")
                ? text + "\nobservability:\n  tracing: {exporter: otlp, endpoint: \"" + endpoint + "\", sample_ratio: 1.0}\n"
                : text);
        token = gw.token();
    }

    @AfterAll
    static void stop() {
        gw.close();
        receiver.close();
    }

    @Test
    void metricsCountQueriesLatencyCacheOutcomesAndPages() throws Exception {
        String sql = "SELECT count(*) FROM jira.issues WHERE project = 'PLAT' AND status = 'Done'";
        assertThat(gw.query(token, sql, 0).status()).isEqualTo(200);
        assertThat(gw.query(token, sql).status()).isEqualTo(200);
        assertThat(gw.query(token, "SELEC nothing").status()).isEqualTo(400);
        assertThat(gw.get("/v1/catalog", token).status()).isEqualTo(200);
        String metrics = scrape();
        assertThat(value(metrics, "http_requests_total", "route=\"/v1/catalog\"")).as("counted once per request").isEqualTo(1);
        assertThat(value(metrics, "http_requests_total", "route=\"/v1/query\"", "status=\"200\"")).isGreaterThanOrEqualTo(2);
        assertThat(value(metrics, "http_requests_total", "route=\"/v1/query\"", "status=\"400\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "query_latency_ms_count")).isGreaterThanOrEqualTo(3);
        assertThat(value(metrics, "query_errors_total", "code=\"SQL_SYNTAX\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "cache_requests_total", "table=\"jira.issues\"", "outcome=\"hit\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "cache_requests_total", "table=\"jira.issues\"", "outcome=\"miss\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "source_pages_total", "source=\"jira\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "http_requests_total", "route=\"/dev/token\"", "status=\"200\"")).isGreaterThanOrEqualTo(1);
        assertThat(metrics).doesNotContain("SELEC nothing").doesNotContain("alice");
    }

    @Test
    void incomingTraceparentIsHonouredAndTheTraceHasItsQuerySpans() throws Exception {
        String callerTrace = HexFormat.of().formatHex(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(gw.uri("/v1/query"))
                .header("Authorization", "Bearer " + token)
                .header("traceparent", "00-" + callerTrace + "-00f067aa0ba902b7-01")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"sql\":\"SELECT count(*) FROM github.pull_requests WHERE repo = 'acme/infra'\",\"max_staleness_ms\":0}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"trace_id\":\"" + callerTrace + "\"");
        assertThat(r.headers().firstValue("traceparent").orElseThrow()).startsWith("00-" + callerTrace + "-");
        // Recorded before the answer was written: no waiting needed.
        gw.gateway().telemetry().flushTraces();
        Map<String, io.opentelemetry.proto.trace.v1.Span> spans = receiver.spans(callerTrace).stream()
                .collect(Collectors.toMap(io.opentelemetry.proto.trace.v1.Span::getName, s -> s, (a, b) -> a));
        assertThat(spans).containsKeys("POST /v1/query", "authenticate", "plan", "policy.rewrite", "source.fetch",
                "duckdb.load", "duckdb.execute");
        var fetch = spans.get("source.fetch");
        assertThat(fetch.getParentSpanId()).isEqualTo(spans.get("POST /v1/query").getSpanId());
        assertThat(spans.get("duckdb.load").getParentSpanId()).isEqualTo(fetch.getSpanId());
        assertThat(fetch.getEndTimeUnixNano()).isGreaterThan(fetch.getStartTimeUnixNano());
        assertThat(fetch.getAttributesList().toString()).contains("github.pull_requests").contains("acme/infra");
        long pages = receiver.spans().stream()
                .filter(s -> s.getName().equals("source.page") && s.getParentSpanId().equals(fetch.getSpanId()))
                .count();
        assertThat(pages).as("one source.page span per upstream page, under its fetch").isGreaterThanOrEqualTo(2);
    }

    @Test
    void aPostgresWireQueryIsTracedAndCountedLikeAnHttpOne() throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "alice");
        p.setProperty("password", token);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + gw.gateway().pgPort() + "/omnisql", p);
             java.sql.Statement st = c.createStatement()) {
            st.execute("SET omnisql.max_staleness_ms = 0");
            try (java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM jira.issues WHERE project = 'WEB'")) {
                assertThat(rs.next()).isTrue();
            }
        }
        gw.gateway().telemetry().flushTraces();
        java.util.List<io.opentelemetry.proto.trace.v1.Span> all = receiver.spans();
        var root = all.stream().filter(s -> s.getName().equals("PG query")).findFirst().orElseThrow();
        Map<String, io.opentelemetry.proto.trace.v1.Span> spans = all.stream()
                .filter(s -> s.getTraceId().equals(root.getTraceId()))
                .collect(Collectors.toMap(io.opentelemetry.proto.trace.v1.Span::getName, s -> s, (a, b) -> a));
        assertThat(spans).containsKeys("plan", "policy.rewrite", "source.fetch", "duckdb.execute");
        assertThat(spans.get("source.fetch").getParentSpanId()).isEqualTo(root.getSpanId());
        assertThat(root.getAttributesList().toString()).contains("postgresql");
        assertThat(scrape()).as("a wire statement is no HTTP request").doesNotContain("method=\"PG\"");
    }

    private static String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(gw.uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Sum of a metric's samples whose labels include all {@code labels}. */
    private static double value(String text, String name, String... labels) {
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= l.contains(label);
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

}
