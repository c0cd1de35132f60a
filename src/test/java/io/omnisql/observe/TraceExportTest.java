package io.omnisql.observe;

import io.omnisql.error.ErrorCode;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static io.omnisql.observe.OtlpReceiver.attr;
import static io.omnisql.observe.OtlpReceiver.hasAttr;
import static io.omnisql.observe.OtlpReceiver.hex;
import static org.assertj.core.api.Assertions.assertThat;

/** Exports through the real OTLP/HTTP pipeline to a receiver that decodes the official protobuf messages. */
class TraceExportTest {
    private static final String CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    private OtlpReceiver receiver;
    private Telemetry telemetry;

    @BeforeEach
    void start() {
        receiver = new OtlpReceiver();
        telemetry = Telemetry.create(new ObservabilitySettings(new ObservabilitySettings.Tracing(
                ObservabilitySettings.Exporter.OTLP, URI.create(receiver.tracesUrl()), 1.0, "omnisql-test"), false));
    }

    @AfterEach
    void stop() {
        telemetry.close();
        receiver.close();
    }

    @Test
    void requestTraceArrivesWithChildSpansParentLinksAndAttributes() throws Exception {
        RequestTrace trace = telemetry.startRequest("POST", "/v1/query", h -> null);
        trace.child("authenticate", Map.of("auth.scheme", "bearer")).end();
        trace.child("plan", Map.of()).end();
        // Fetch and its pages on other threads: the parent travels with the Span object, not a thread-local.
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> fetch = pool.submit(() -> {
                try (Span f = trace.child("source.fetch", Map.of("table", "github.issues",
                                                                    "pushed_filters", "state = 'open'",
                                                                    "cache", "miss"))) {
                    for (int page = 1; page <= 2; page++) {
                        f.child("source.page", Map.of("page", page, "http.response.status_code", 200, "rows", 50)).end();
                    }
                    f.attribute("rows", 100L);
                }
            });
            fetch.get();
        }
        trace.child("duckdb.execute", Map.of("rows", 7)).fail("QUERY_TIMEOUT").end();
        trace.end(504, ErrorCode.QUERY_TIMEOUT);
        telemetry.flushTraces();

        Map<String, io.opentelemetry.proto.trace.v1.Span> byName = spans().stream()
                .filter(s -> hex(s.getTraceId().toByteArray()).equals(trace.traceId()))
                .collect(Collectors.toMap(s -> s.getName() + (s.getName().equals("source.page") ? "#" + attr(s, "page").getIntValue() : ""),
                                          s -> s));
        assertThat(byName).containsOnlyKeys("POST /v1/query", "authenticate", "plan", "source.fetch",
                                            "source.page#1", "source.page#2", "duckdb.execute");

        var request = byName.get("POST /v1/query");
        assertThat(request.getParentSpanId().isEmpty()).isTrue();
        assertThat(request.getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(attr(request, "http.route").getStringValue()).isEqualTo("/v1/query");
        assertThat(attr(request, "http.request.method").getStringValue()).isEqualTo("POST");
        assertThat(attr(request, "url.path").getStringValue()).isEqualTo("/v1/query");
        assertThat(attr(request, "http.response.status_code").getIntValue()).isEqualTo(504);
        assertThat(attr(request, "error.type").getStringValue()).isEqualTo("504");
        assertThat(hasAttr(request, "http.status_code") || hasAttr(request, "http.method"))
                .as("the old attribute names are gone").isFalse();
        assertThat(attr(request, "error.code").getStringValue()).isEqualTo("QUERY_TIMEOUT");
        assertThat(request.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(trace.traceparent()).isEqualTo("00-" + trace.traceId() + "-" + hex(request.getSpanId().toByteArray()) + "-01");

        for (String child : List.of("authenticate", "plan", "source.fetch", "duckdb.execute")) {
            assertThat(byName.get(child).getParentSpanId()).as(child).isEqualTo(request.getSpanId());
        }
        var fetch = byName.get("source.fetch");
        assertThat(attr(fetch, "table").getStringValue()).isEqualTo("github.issues");
        assertThat(attr(fetch, "pushed_filters").getStringValue()).isEqualTo("state = 'open'");
        assertThat(attr(fetch, "cache").getStringValue()).isEqualTo("miss");
        assertThat(attr(fetch, "rows").getIntValue()).isEqualTo(100);
        for (String page : List.of("source.page#1", "source.page#2")) {
            var p = byName.get(page);
            assertThat(p.getParentSpanId()).isEqualTo(fetch.getSpanId());
            assertThat(attr(p, "http.response.status_code").getIntValue()).isEqualTo(200);
            // Durations: each child lies within its parent's interval.
            assertThat(p.getStartTimeUnixNano()).isBetween(fetch.getStartTimeUnixNano(), fetch.getEndTimeUnixNano());
            assertThat(p.getEndTimeUnixNano()).isBetween(p.getStartTimeUnixNano(), fetch.getEndTimeUnixNano());
        }
        assertThat(fetch.getEndTimeUnixNano()).isBetween(fetch.getStartTimeUnixNano(), request.getEndTimeUnixNano());
        assertThat(byName.get("duckdb.execute").getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(attr(byName.get("duckdb.execute"), "error.code").getStringValue()).isEqualTo("QUERY_TIMEOUT");

        ResourceSpans resource = receiver.resourceSpans().getFirst();
        assertThat(resource.getResource().getAttributesList())
                .anySatisfy(kv -> {
                    assertThat(kv.getKey()).isEqualTo("service.name");
                    assertThat(kv.getValue().getStringValue()).isEqualTo("omnisql-test");
                });
    }

    @Test
    void incomingTraceparentMakesTheRequestSpanAChildOfTheCaller() {
        Map<String, String> headers = Map.of("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-01");
        RequestTrace trace = telemetry.startRequest("POST", "/v1/query", headers::get);
        trace.end(200, null);
        telemetry.flushTraces();

        assertThat(trace.traceId()).isEqualTo(CALLER_TRACE);
        assertThat(trace.traceparent()).startsWith("00-" + CALLER_TRACE + "-").endsWith("-01")
                .doesNotContain(CALLER_SPAN);
        var request = spans().stream().filter(s -> s.getName().equals("POST /v1/query")).findFirst().orElseThrow();
        assertThat(hex(request.getTraceId().toByteArray())).isEqualTo(CALLER_TRACE);
        assertThat(hex(request.getParentSpanId().toByteArray())).isEqualTo(CALLER_SPAN);
    }

    @Test
    void callerThatDeclinedSamplingIsRespected() {
        Map<String, String> headers = Map.of("traceparent", "00-" + CALLER_TRACE + "-" + CALLER_SPAN + "-00");
        RequestTrace trace = telemetry.startRequest("GET", "/v1/tables", headers::get);
        trace.end(200, null);
        telemetry.flushTraces();

        assertThat(trace.traceId()).isEqualTo(CALLER_TRACE);
        assertThat(trace.traceparent()).endsWith("-00");
        assertThat(spans()).noneMatch(s -> s.getName().equals("GET /v1/tables"));
    }

    private List<io.opentelemetry.proto.trace.v1.Span> spans() {
        return receiver.spans();
    }
}
