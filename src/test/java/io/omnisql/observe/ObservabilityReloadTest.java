package io.omnisql.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnisql.GatewayHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An edit of {@code observability:} applies without a restart: the exporter endpoint, the sampling ratio and
 * the log format of the very next request change; log lines in JSON parse as one object each.
 */
class ObservabilityReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final OtlpReceiver first = new OtlpReceiver();
    private final OtlpReceiver second = new OtlpReceiver();
    /** A console-like handler on the root logger: the gateway sets the format of every root handler. */
    private final CapturingHandler console = new CapturingHandler();
    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        Logger.getLogger("").addHandler(console);
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml") ? text + observability(first.tracesUrl(), 1.0, "text") : text);
    }

    @AfterEach
    void stop() {
        gw.close();
        Logger.getLogger("").removeHandler(console);
        new LogOutput().apply(ObservabilitySettings.LogFormat.TEXT);
        first.close();
        second.close();
    }

    @Test
    void endpointSamplingAndLogFormatChangeOnReloadWithoutRestart() throws Exception {
        String token = gw.token();
        String before = traceOf(gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'WEB'"));
        gw.gateway().telemetry().flushTraces();
        assertThat(first.spans(before)).isNotEmpty();
        assertThat(queryLines()).last().asString().doesNotStartWith("{\"timestamp\"").contains("\"trace_id\":\"" + before + "\"");

        assertThat(gw.edit("catalog.yaml", t -> t.replace(observability(first.tracesUrl(), 1.0, "text"),
                observability(second.tracesUrl(), 1.0, "json")))).isTrue();
        console.clear();
        String moved = traceOf(gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'PLAT'"));
        gw.gateway().telemetry().flushTraces();
        assertThat(second.spans(moved)).as("spans go to the new endpoint").isNotEmpty();
        assertThat(first.spans(moved)).as("and no longer to the old one").isEmpty();

        List<String> lines = queryLines();
        assertThat(lines).hasSize(1);
        String line = lines.getFirst();
        assertThat(line).endsWith(System.lineSeparator()).doesNotContain("\n" + "{");
        JsonNode entry = JSON.readTree(line);
        assertThat(entry.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(entry.get("level").asText()).isEqualTo("INFO");
        assertThat(entry.get("logger").asText()).isEqualTo(QueryLog.LOGGER_NAME);
        assertThat(entry.get("message").asText()).isEqualTo("query");
        assertThat(entry.get("trace_id").asText()).isEqualTo(moved);
        assertThat(entry.get("status").asInt()).isEqualTo(200);
        assertThat(entry.get("tables").get(0).get("table").asText()).isEqualTo("jira.issues");
        // Every line, not only the query log, is one JSON object now.
        assertThat(console.lines).allSatisfy(l -> assertThat(JSON.readTree(l).has("logger")).isTrue());

        assertThat(gw.edit("catalog.yaml", t -> t.replace(observability(second.tracesUrl(), 1.0, "json"),
                observability(second.tracesUrl(), 0.0, "text")))).isTrue();
        console.clear();
        String unsampled = traceOf(gw.query(token, "SELECT count(*) FROM jira.issues WHERE project = 'OPS'"));
        gw.gateway().telemetry().flushTraces();
        assertThat(second.spans(unsampled)).as("sample_ratio 0 applies to the next request").isEmpty();
        assertThat(queryLines()).last().asString().doesNotStartWith("{\"timestamp\"");
    }

    private static String observability(String endpoint, double ratio, String format) {
        return "\nobservability:\n  tracing: {exporter: otlp, endpoint: \"" + endpoint + "\", sample_ratio: " + ratio
                + "}\n  log_format: " + format + "\n";
    }

    private static String traceOf(GatewayHarness.Response r) {
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.body().get("metadata").get("trace_id").asText();
    }

    /** The query log lines written so far (the line is written just after the answer: wait briefly for it). */
    private List<String> queryLines() throws InterruptedException {
        for (int i = 0; i < 100 && console.queryLines().isEmpty(); i++) {
            Thread.sleep(20);
        }
        return console.queryLines();
    }

    private static final class CapturingHandler extends Handler {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<String> queries = new CopyOnWriteArrayList<>();

        CapturingHandler() {
            setFormatter(new SimpleFormatter());
        }

        @Override
        public void publish(LogRecord record) {
            String line = getFormatter().format(record);
            lines.add(line);
            if (QueryLog.LOGGER_NAME.equals(record.getLoggerName())) {
                queries.add(line);
            }
        }

        void clear() {
            lines.clear();
            queries.clear();
        }

        List<String> queryLines() {
            return List.copyOf(queries);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
