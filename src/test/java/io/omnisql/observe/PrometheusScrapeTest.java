package io.omnisql.observe;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnisql.GatewayHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A real Prometheus server scrapes {@code /metrics} and answers PromQL over what it stored. */
class PrometheusScrapeTest {
    @TempDir
    Path dir;

    @Test
    void prometheusScrapesRequestCountsAndLatencyBuckets() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start()) {
            String token = gateway.token();
            for (int i = 0; i < 3; i++) {
                assertThat(gateway.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'WEB'").status()).isEqualTo(200);
            }
            try (PrometheusServer prometheus = PrometheusServer.start(dir, gateway.gateway().port(), List.of())) {
                JsonNode requests = prometheus.await("http_requests_total{route=\"/v1/query\"}", Duration.ofSeconds(60));
                assertThat(requests).hasSize(1);
                assertThat(requests.get(0).get("metric").get("status").asText()).isEqualTo("200");
                assertThat(requests.get(0).get("metric").get("job").asText()).isEqualTo("omnisql");
                assertThat(requests.get(0).get("value").get(1).asText()).isEqualTo("3");

                JsonNode buckets = prometheus.query("query_latency_ms_bucket");
                assertThat(buckets).hasSize(Metrics.LATENCY_BUCKETS_MS.length + 1);
                assertThat(value(buckets, "+Inf")).isEqualTo("3");
                assertThat(value(buckets, "30000.0")).isEqualTo("3");
                assertThat(prometheus.query("query_latency_ms_sum").get(0).get("value").get(1).asDouble()).isGreaterThan(0.0);

                JsonNode seconds = prometheus.query("http_server_request_duration_seconds_bucket{route=\"/v1/query\",status=\"200\"}");
                assertThat(seconds).hasSize(Metrics.HTTP_DURATION_BUCKETS.length + 1);
                assertThat(value(seconds, "+Inf")).isEqualTo("3");
                assertThat(prometheus.query("jvm_memory_used_bytes{area=\"heap\"}")).isNotEmpty();
                assertThat(prometheus.query("process_cpu_usage")).isNotEmpty();
                assertThat(prometheus.query("process_files_open_files").get(0).get("value").get(1).asDouble()).isGreaterThan(0);
                assertThat(prometheus.query("duckdb_memory_bytes").get(0).get("value").get(1).asText()).isNotEqualTo("NaN");
                assertThat(prometheus.query("duckdb_lane_queued")).hasSizeGreaterThanOrEqualTo(2);
            }
        }
    }

    private static String value(JsonNode series, String le) {
        for (JsonNode s : series) {
            if (s.get("metric").get("le").asText().equals(le)) {
                return s.get("value").get(1).asText();
            }
        }
        throw new AssertionError("no bucket le=" + le + " in " + series);
    }
}
