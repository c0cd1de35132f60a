package io.omnisql.observe;

import io.omnisql.cache.CacheOutcome;
import io.helidon.webserver.WebServer;
import io.omnisql.error.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MetricsEndpointTest {
    private static final long MS = 1_000_000L;

    private Telemetry telemetry;
    private WebServer server;

    @BeforeEach
    void start() {
        telemetry = Telemetry.create(ObservabilitySettings.defaults());
        server = WebServer.builder().host("127.0.0.1").port(0).routing(telemetry::register).build().start();
    }

    @AfterEach
    void stop() {
        server.stop();
        telemetry.close();
    }

    @Test
    void scrapeShowsRecordedCountersGaugesAndHistograms() throws Exception {
        Metrics m = telemetry.metrics();
        for (int i = 0; i < 3; i++) {
            m.httpRequest("POST", "/v1/query", 200, 1_000_000);
        }
        m.httpRequest("POST", "/v1/query", 429, 1_000_000);
        m.httpRequest("BREW", "/v1/query", 405, 1_000_000);

        m.queryStarted();
        m.queryStarted();
        m.queryStarted();
        m.queryFinished(3 * MS, null);          // bucket le=5
        m.queryFinished(150 * MS, ErrorCode.SOURCE_TIMEOUT); // bucket le=200
        // third query still in flight

        m.sourceFetch("github", "github.issues", 40 * MS, 120);
        m.sourceFetch("github", "github.issues", 25_000 * MS, 30);
        m.sourcePage("github");
        m.sourcePage("github");
        m.sourceError("jira", "SOURCE_TIMEOUT");
        m.cache("github.issues", CacheOutcome.HIT);
        m.cache("github.issues", CacheOutcome.HIT);
        m.cache("github.issues", CacheOutcome.COALESCED);
        m.cache("jira.issues", CacheOutcome.MISS);
        m.rateLimitRefusal(Metrics.RefusalKind.GATEWAY, null);
        m.rateLimitRefusal(Metrics.RefusalKind.SOURCE, "github");
        m.upstreamRateLimitRemaining("github", 4999);
        m.upstreamRateLimitRemaining("github", 4987);
        m.configReload(true);
        m.configReload(false);
        m.configReload(false);

        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        String text = response.body();
        Map<String, Double> s = parse(text);

        assertThat(text).contains("# TYPE http_requests_total counter", "# TYPE query_latency_ms histogram",
                                  "# TYPE source_fetch_ms histogram", "# TYPE queries_in_flight gauge");
        assertThat(s.get("http_requests_total{method=\"POST\",route=\"/v1/query\",status=\"200\",}")).isEqualTo(3.0);
        assertThat(s.get("http_requests_total{method=\"POST\",route=\"/v1/query\",status=\"429\",}")).isEqualTo(1.0);
        assertThat(s.get("http_requests_total{method=\"OTHER\",route=\"/v1/query\",status=\"405\",}")).isEqualTo(1.0);

        assertThat(s.get("query_latency_ms_count")).isEqualTo(2.0);
        assertThat(s.get("query_latency_ms_sum")).isCloseTo(153.0, within(1e-9));
        assertThat(s.get("query_latency_ms_bucket{le=\"1.0\",}")).isEqualTo(0.0);
        assertThat(s.get("query_latency_ms_bucket{le=\"5.0\",}")).isEqualTo(1.0);
        assertThat(s.get("query_latency_ms_bucket{le=\"100.0\",}")).isEqualTo(1.0);
        assertThat(s.get("query_latency_ms_bucket{le=\"200.0\",}")).isEqualTo(2.0);
        assertThat(s.get("query_latency_ms_bucket{le=\"30000.0\",}")).isEqualTo(2.0);
        assertThat(s.get("query_latency_ms_bucket{le=\"+Inf\",}")).isEqualTo(2.0);
        assertThat(s.get("queries_in_flight")).isEqualTo(1.0);
        assertThat(s.get("query_errors_total{code=\"SOURCE_TIMEOUT\",}")).isEqualTo(1.0);
        assertThat(s.get("query_errors_total{code=\"SQL_SYNTAX\",}")).isEqualTo(0.0);

        String fetch = "source=\"github\",table=\"github.issues\",";
        assertThat(s.get("source_fetch_ms_count{" + fetch + "}")).isEqualTo(2.0);
        assertThat(s.get("source_fetch_ms_sum{" + fetch + "}")).isCloseTo(25_040.0, within(1e-9));
        assertThat(s.get("source_fetch_ms_bucket{" + fetch + "le=\"50.0\",}")).isEqualTo(1.0);
        assertThat(s.get("source_fetch_ms_bucket{" + fetch + "le=\"20000.0\",}")).isNull();
        assertThat(s.get("source_fetch_ms_bucket{" + fetch + "le=\"10000.0\",}")).isEqualTo(1.0);
        assertThat(s.get("source_fetch_ms_bucket{" + fetch + "le=\"30000.0\",}")).isEqualTo(2.0);
        assertThat(s.get("source_rows_total{" + fetch + "}")).isEqualTo(150.0);
        assertThat(s.get("source_pages_total{source=\"github\",}")).isEqualTo(2.0);
        assertThat(s.get("source_errors_total{code=\"SOURCE_TIMEOUT\",source=\"jira\",}")).isEqualTo(1.0);
        assertThat(s.get("cache_requests_total{outcome=\"hit\",table=\"github.issues\",}")).isEqualTo(2.0);
        assertThat(s.get("cache_requests_total{outcome=\"coalesced\",table=\"github.issues\",}")).isEqualTo(1.0);
        assertThat(s.get("cache_requests_total{outcome=\"miss\",table=\"jira.issues\",}")).isEqualTo(1.0);
        assertThat(s.get("rate_limit_refusals_total{kind=\"gateway\",source=\"\",}")).isEqualTo(1.0);
        assertThat(s.get("rate_limit_refusals_total{kind=\"source\",source=\"github\",}")).isEqualTo(1.0);
        assertThat(s.get("upstream_rate_limit_remaining{source=\"github\",}")).isEqualTo(4987.0);
        assertThat(s.get("config_reloads_total{result=\"applied\",}")).isEqualTo(1.0);
        assertThat(s.get("config_reloads_total{result=\"rejected\",}")).isEqualTo(2.0);
    }

    @Test
    void endingARequestTraceCountsItUnderItsRouteTemplate() throws Exception {
        try (RequestTrace trace = telemetry.startRequest("GET", "/v1/tables/{name}", h -> null)) {
            trace.end(404, ErrorCode.NOT_FOUND);
        }
        try (RequestTrace ignored = telemetry.startRequest("GET", "/v1/tables/{name}", h -> null)) {
            // closed without an explicit end: counted as an internal error
        }
        Map<String, Double> s = parse(telemetry.metrics().scrape());
        assertThat(s.get("http_requests_total{method=\"GET\",route=\"/v1/tables/{name}\",status=\"404\",}")).isEqualTo(1.0);
        assertThat(s.get("http_requests_total{method=\"GET\",route=\"/v1/tables/{name}\",status=\"500\",}")).isEqualTo(1.0);
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{.*})?) (\\S+)$");

    /** Prometheus text format: series (name plus label block, as written) to value. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher matcher = SAMPLE.matcher(line);
            assertThat(matcher.matches()).as("sample line %s", line).isTrue();
            samples.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
        }
        return samples;
    }
}
