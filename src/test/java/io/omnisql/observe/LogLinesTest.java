package io.omnisql.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON line format and who chooses it. */
class LogLinesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void environmentChoosesJsonLinesOverTheYaml() {
        try (Telemetry t = Telemetry.create(ObservabilitySettings.defaults(), Map.of("OMNISQL_LOG_FORMAT", "json")::get)) {
            assertThat(t.settings().logFormat()).isEqualTo(ObservabilitySettings.LogFormat.JSON);
            t.apply(ObservabilitySettings.defaults());
            assertThat(t.settings().logFormat()).as("still the environment's choice after a reload")
                    .isEqualTo(ObservabilitySettings.LogFormat.JSON);
        }
    }

    @Test
    void jsonLineCarriesTraceAndSpanIdsAndTheStackTrace() throws Exception {
        LogRecord r = new LogRecord(Level.SEVERE, "trace abc: unexpected failure");
        r.setLoggerName("omnisql.http");
        r.setParameters(new Object[] {LogContext.of("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")});
        r.setThrown(new IllegalStateException("boom"));
        String line = new JsonLogFormatter().format(r);
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode node = JSON.readTree(line);
        assertThat(node.get("level").asText()).isEqualTo("SEVERE");
        assertThat(node.get("message").asText()).isEqualTo("trace abc: unexpected failure");
        assertThat(node.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(node.get("span_id").asText()).isEqualTo("00f067aa0ba902b7");
        assertThat(node.get("exception").asText()).contains("IllegalStateException: boom");
    }
}
