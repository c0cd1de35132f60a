package io.omnisql.observe;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** With the default exporter {@code none} nothing is recorded, yet every request still gets real ids. */
class UnexportedTraceTest {
    private final Telemetry telemetry = Telemetry.create(ObservabilitySettings.defaults());

    @AfterEach
    void close() {
        telemetry.close();
    }

    @Test
    void everyRequestGetsAFreshValidTraceIdWithoutAnExporter() {
        RequestTrace first = telemetry.startRequest("POST", "/v1/query", h -> null);
        RequestTrace second = telemetry.startRequest("POST", "/v1/query", h -> null);
        first.child("plan", Map.of("tables", 2)).end();
        first.end(200, null);
        second.end(200, null);

        assertThat(first.traceId()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
        assertThat(first.traceId()).isNotEqualTo(second.traceId());
        assertThat(first.traceparent()).matches("00-" + first.traceId() + "-[0-9a-f]{16}-00");
    }

    @Test
    void incomingTraceparentIsHonouredWithoutAnExporter() {
        String caller = "0af7651916cd43dd8448eb211c80319c";
        RequestTrace trace = telemetry.startRequest("POST", "/v1/query",
                Map.of("traceparent", "00-" + caller + "-b7ad6b7169203331-01")::get);
        trace.end(200, null);
        assertThat(trace.traceId()).isEqualTo(caller);
    }

    @Test
    void malformedTraceparentStartsANewTrace() {
        RequestTrace trace = telemetry.startRequest("POST", "/v1/query", Map.of("traceparent", "00-nonsense-01")::get);
        trace.end(200, null);
        assertThat(trace.traceId()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
    }
}
