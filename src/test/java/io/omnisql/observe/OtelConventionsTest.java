package io.omnisql.observe;

import io.omnisql.GatewayHarness;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.omnisql.observe.OtlpReceiver.attr;
import static io.omnisql.observe.OtlpReceiver.hasAttr;
import static io.omnisql.observe.OtlpReceiver.hex;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway configured only through the standard OTEL_* environment variables (catalog.yaml leaves tracing off)
 * exports to a real OTLP receiver with current semantic-convention attribute names, and every simulator request
 * carries the traceparent of the fetch span it was made for.
 */
class OtelConventionsTest {
    private final OtlpReceiver receiver = new OtlpReceiver();
    private GatewayHarness gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        receiver.close();
    }

    @Test
    void otelEnvironmentVariablesConfigureExportOverTheYaml() throws Exception {
        gw = GatewayHarness.start((file, text) -> text, Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.base(),
                "OTEL_EXPORTER_OTLP_HEADERS", "x-collector-key=s3cret,x-tenant=ops",
                "OTEL_SERVICE_NAME", "omnisql-from-env",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=ci,service.namespace=data",
                "OTEL_TRACES_SAMPLER", "parentbased_always_on"));
        assertThat(ObservabilitySettings.fromMap(gw.gateway().config().current().catalog().observability()).tracing().exporter())
                .as("YAML leaves tracing off").isEqualTo(ObservabilitySettings.Exporter.NONE);

        GatewayHarness.Response r = gw.query(gw.token(),
                "SELECT number, title FROM github.pull_requests WHERE repo = 'acme/infra' AND state = 'open'", 0);
        assertThat(r.status()).isEqualTo(200);
        String traceId = r.body().get("metadata").get("trace_id").asText();
        gw.gateway().telemetry().flushTraces();

        assertThat(receiver.exports()).isNotEmpty().allSatisfy(e -> {
            assertThat(e.headers().get("x-collector-key")).containsExactly("s3cret");
            assertThat(e.headers().get("x-tenant")).containsExactly("ops");
        });
        Map<String, String> resource = receiver.resourceSpans().getFirst().getResource().getAttributesList().stream()
                .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue(), (a, b) -> a));
        assertThat(resource).containsEntry("service.name", "omnisql-from-env")
                .containsEntry("deployment.environment", "ci").containsEntry("service.namespace", "data");

        List<Span> spans = receiver.spans(traceId);
        Span request = named(spans, "POST /v1/query").getFirst();
        assertThat(request.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(attr(request, "http.request.method").getStringValue()).isEqualTo("POST");
        assertThat(attr(request, "http.route").getStringValue()).isEqualTo("/v1/query");
        assertThat(attr(request, "url.path").getStringValue()).isEqualTo("/v1/query");
        assertThat(attr(request, "url.scheme").getStringValue()).isEqualTo("http");
        assertThat(attr(request, "http.response.status_code").getIntValue()).isEqualTo(200);
        assertThat(attr(request, "user_agent.original").getStringValue()).isNotBlank();

        List<Span> pages = named(spans, "source.page");
        assertThat(pages).isNotEmpty().allSatisfy(p -> {
            assertThat(p.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
            assertThat(attr(p, "http.request.method").getStringValue()).isEqualTo("GET");
            assertThat(attr(p, "http.response.status_code").getIntValue()).isEqualTo(200);
            assertThat(attr(p, "server.address").getStringValue()).isEqualTo("127.0.0.1");
            // Later pages follow the Link header: /repositories/{id}/pulls.
            assertThat(attr(p, "url.path").getStringValue()).matches("/repos/acme/infra/pulls|/repositories/\\d+/pulls");
            assertThat(p.getEndTimeUnixNano()).isGreaterThan(p.getStartTimeUnixNano());
        });
        Span execute = named(spans, "duckdb.execute").getFirst();
        assertThat(attr(execute, "db.system").getStringValue()).isEqualTo("duckdb");
        assertThat(attr(execute, "db.operation.name").getStringValue()).isEqualTo("SELECT");
        assertThat(attr(execute, "db.query.text").getStringValue()).contains("SELECT").contains("?")
                .as("literals never reach the trace backend").doesNotContain("acme/infra").doesNotContain("'open'");
        assertThat(attr(named(spans, "duckdb.load").getFirst(), "db.system").getStringValue()).isEqualTo("duckdb");
        for (Span s : spans) {
            assertThat(hasAttr(s, "http.status_code") || hasAttr(s, "http.method")).as(s.getName()).isFalse();
        }

        // Each upstream call of this query carried its fetch span's context: a traced GitHub would join the trace.
        Set<String> fetchContexts = named(spans, "source.fetch").stream()
                .map(f -> "00-" + traceId + "-" + hex(f.getSpanId().toByteArray()) + "-01").collect(Collectors.toSet());
        List<String> upstream = gw.gateway().simulators().traceparents();
        assertThat(upstream).as("simulator requests").hasSizeGreaterThanOrEqualTo(pages.size());
        assertThat(upstream).allSatisfy(tp -> assertThat(fetchContexts).contains(tp));
    }

    @Test
    void samplerFromTheEnvironmentOverridesTheYamlRatio() throws Exception {
        gw = GatewayHarness.start((file, text) -> file.equals("catalog.yaml") ? text + """

                observability:
                  tracing: {exporter: otlp, endpoint: "%s", sample_ratio: 1.0}
                """.formatted(receiver.tracesUrl()) : text, Map.of("OTEL_TRACES_SAMPLER", "always_off"));
        GatewayHarness.Response r = gw.query(gw.token(), "SELECT count(*) FROM jira.issues WHERE project = 'WEB'");
        assertThat(r.status()).isEqualTo(200);
        gw.gateway().telemetry().flushTraces();
        assertThat(receiver.spans()).isEmpty();
        assertThat(r.header("traceparent")).as("ids are still minted, marked not sampled").endsWith("-00");
    }

    private static List<Span> named(List<Span> spans, String name) {
        List<Span> out = spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(out).as("spans named %s among %s", name, spans.stream().map(Span::getName).toList()).isNotEmpty();
        return out;
    }
}
