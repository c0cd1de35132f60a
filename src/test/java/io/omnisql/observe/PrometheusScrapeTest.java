package io.omnisql.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnisql.GatewayHarness;
import io.omnisql.RequiredTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Prometheus server scrapes {@code /metrics} and answers PromQL over what it stored.
 * Needs a prometheus binary: {@code bin/ensure-prometheus} installs Debian's package, or set PROMETHEUS_BIN; a missing
 * one fails under CI=true and is skipped loudly elsewhere ({@link RequiredTool}).
 */
class PrometheusScrapeTest {
    private static final Duration SCRAPE_DEADLINE = Duration.ofSeconds(60);
    private static final RequiredTool PROMETHEUS = new RequiredTool("prometheus",
            "run bin/ensure-prometheus (installs Debian's prometheus package as root or with CI=true), or set PROMETHEUS_BIN");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private GatewayHarness gateway;
    private Process prometheus;

    @BeforeEach
    void start() throws Exception {
        gateway = GatewayHarness.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        gateway.close();
    }

    @Test
    void prometheusScrapesRequestCountsAndLatencyBuckets() throws Exception {
        Path binary = PROMETHEUS.find(RequiredTool.candidates("PROMETHEUS_BIN", "prometheus"));

        String token = gateway.token();
        for (int i = 0; i < 3; i++) {
            assertThat(gateway.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'WEB'").status()).isEqualTo(200);
        }

        int port = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: omnisql
                    metrics_path: /metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(gateway.gateway().port()));
        prometheus = new ProcessBuilder(binary.toString(),
                                        "--config.file=" + config,
                                        "--storage.tsdb.path=" + dir.resolve("data"),
                                        "--web.listen-address=127.0.0.1:" + port,
                                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();

        JsonNode requests = awaitSeries(port, "http_requests_total{route=\"/v1/query\"}");
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).get("metric").get("status").asText()).isEqualTo("200");
        assertThat(requests.get(0).get("metric").get("job").asText()).isEqualTo("omnisql");
        assertThat(requests.get(0).get("value").get(1).asText()).isEqualTo("3");

        JsonNode buckets = query(port, "query_latency_ms_bucket");
        assertThat(buckets).hasSize(Metrics.LATENCY_BUCKETS_MS.length + 1);
        assertThat(value(buckets, "+Inf")).isEqualTo("3");
        assertThat(value(buckets, "30000.0")).isEqualTo("3");
        assertThat(query(port, "query_latency_ms_sum").get(0).get("value").get(1).asDouble()).isGreaterThan(0.0);
    }

    /** Polls until Prometheus has scraped at least once and the series exists, within a fixed deadline. */
    private JsonNode awaitSeries(int port, String promql) throws Exception {
        long deadline = System.nanoTime() + SCRAPE_DEADLINE.toNanos();
        while (true) {
            assertThat(prometheus.isAlive()).as("prometheus exited: %s", log()).isTrue();
            try {
                JsonNode result = query(port, promql);
                if (!result.isEmpty()) {
                    return result;
                }
            } catch (IOException notListeningYet) {
                // Prometheus is still starting.
            }
            assertThat(System.nanoTime()).as("no scrape within %s; prometheus log: %s", SCRAPE_DEADLINE, log())
                    .isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private JsonNode query(int port, String promql) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                                     + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                                                  HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 503) {
            throw new IOException("prometheus not ready");
        }
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("status").asText()).as(response.body()).isEqualTo("success");
        return body.get("data").get("result");
    }

    private static String value(JsonNode series, String le) {
        for (JsonNode s : series) {
            if (s.get("metric").get("le").asText().equals(le)) {
                return s.get("value").get(1).asText();
            }
        }
        throw new AssertionError("no bucket le=" + le + " in " + series);
    }

    private String log() throws IOException {
        Path log = dir.resolve("prometheus.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
