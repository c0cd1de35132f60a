package io.omnisql.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnisql.RequiredTool;

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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's package) on a free loopback port, scraping one gateway every second,
 * optionally with rule files. Binaries come from PROMETHEUS_BIN/PROMTOOL_BIN or PATH ({@code bin/test} runs
 * {@code bin/ensure-prometheus}, which installs the package as root or in CI); see {@link #binary}.
 */
public final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path dir;
    private final int port;
    private final Process process;

    private PrometheusServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Scrapes {@code 127.0.0.1:targetPort/metrics} as job "omnisql" every second, evaluating {@code ruleFiles}. */
    public static PrometheusServer start(Path dir, int targetPort, List<Path> ruleFiles) throws IOException {
        Path binary = binary("prometheus", "PROMETHEUS_BIN");
        int port = freePort();
        Path config = dir.resolve("prometheus.yml");
        StringBuilder rules = new StringBuilder();
        for (Path r : ruleFiles) {
            rules.append("  - '").append(r.toAbsolutePath()).append("'\n");
        }
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                %s
                scrape_configs:
                  - job_name: omnisql
                    metrics_path: /metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(ruleFiles.isEmpty() ? "" : "rule_files:\n" + rules, targetPort));
        Process p = new ProcessBuilder(binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        return new PrometheusServer(dir, port, p);
    }

    /**
     * The path of {@code tool} (prometheus or promtool): {@code $envVar}, then PATH. Missing, it is never a silent
     * skip ({@link RequiredTool}): the test fails under CI=true and is skipped loudly elsewhere.
     */
    public static Path binary(String tool, String envVar) {
        return new RequiredTool(tool, "run bin/ensure-prometheus " + tool
                + " (installs Debian's prometheus package as root or with CI=true), or set " + envVar)
                .find(RequiredTool.candidates(envVar, tool));
    }

    /** Instant query; the {@code data.result} array. Throws IOException while Prometheus is still starting. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        JsonNode body = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!"success".equals(body.path("status").asText())) {
            throw new AssertionError("query failed: " + promql + " -> " + body);
        }
        return body.get("data").get("result");
    }

    /** {@code GET path} on the HTTP API, parsed. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 503) {
            throw new IOException("prometheus not ready");
        }
        return JSON.readTree(response.body());
    }

    /** Waits (up to {@code deadline}) until {@code promql} returns at least one series; returns them. */
    public JsonNode await(String promql, Duration deadline) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited: " + log());
            }
            try {
                JsonNode result = query(promql);
                if (!result.isEmpty()) {
                    return result;
                }
            } catch (IOException notListeningYet) {
                // still starting
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no data for " + promql + " within " + deadline + "; prometheus log: " + log());
            }
            Thread.sleep(250);
        }
    }

    public String log() throws IOException {
        Path log = dir.resolve("prometheus.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
