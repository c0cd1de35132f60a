package io.omnisql.observe;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObservabilitySettingsTest {

    private static ObservabilitySettings parse(String yaml) {
        Map<String, Object> root = new Yaml().load(yaml);
        @SuppressWarnings("unchecked")
        Map<String, Object> section = (Map<String, Object>) root.get("observability");
        return ObservabilitySettings.fromMap(section);
    }

    @Test
    void absentSectionMeansNoExportAndQueryLogOn() {
        ObservabilitySettings s = ObservabilitySettings.fromMap(null);
        assertThat(s.tracing().exporter()).isEqualTo(ObservabilitySettings.Exporter.NONE);
        assertThat(s.tracing().endpoint()).isEqualTo(URI.create("http://127.0.0.1:4318/v1/traces"));
        assertThat(s.tracing().sampleRatio()).isEqualTo(1.0);
        assertThat(s.tracing().serviceName()).isEqualTo("omnisql");
        assertThat(s.queryLog()).isTrue();
    }

    @Test
    void readsEveryKeyOfTheDocumentedShape() {
        ObservabilitySettings s = parse("""
                observability:
                  tracing: {exporter: otlp, endpoint: "http://collector:4318/v1/traces", sample_ratio: 0.25, service_name: gw}
                  query_log: false
                """);
        assertThat(s).isEqualTo(new ObservabilitySettings(new ObservabilitySettings.Tracing(
                ObservabilitySettings.Exporter.OTLP, URI.create("http://collector:4318/v1/traces"), 0.25, "gw"), false));
    }

    @Test
    void integerSampleRatioAndPartialTracingKeepDefaultsForTheRest() {
        ObservabilitySettings s = parse("observability: {tracing: {sample_ratio: 0}}");
        assertThat(s.tracing().sampleRatio()).isZero();
        assertThat(s.tracing().exporter()).isEqualTo(ObservabilitySettings.Exporter.NONE);
        assertThat(s.queryLog()).isTrue();
    }

    @Test
    void errorsNameTheKeyPath() {
        assertThatThrownBy(() -> parse("observability: {tracing: {exporter: jaeger}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("observability.tracing.exporter");
        assertThatThrownBy(() -> parse("observability: {tracing: {sample_ratio: 1.5}}"))
                .hasMessageContaining("observability.tracing.sample_ratio");
        assertThatThrownBy(() -> parse("observability: {tracing: {sample_ratio: half}}"))
                .hasMessageContaining("observability.tracing.sample_ratio");
        assertThatThrownBy(() -> parse("observability: {tracing: {endpoint: 'collector:4318'}}"))
                .hasMessageContaining("observability.tracing.endpoint");
        assertThatThrownBy(() -> parse("observability: {tracing: {service_name: ''}}"))
                .hasMessageContaining("observability.tracing.service_name");
        assertThatThrownBy(() -> parse("observability: {tracing: otlp}"))
                .hasMessageContaining("observability.tracing: must be a mapping");
        assertThatThrownBy(() -> parse("observability: {query_log: yes please}"))
                .hasMessageContaining("observability.query_log");
        assertThatThrownBy(() -> parse("observability: {tracing: {exporter: none, sampler: always}}"))
                .hasMessageContaining("observability.tracing.sampler");
        assertThatThrownBy(() -> parse("observability: {metrics: true}"))
                .hasMessageContaining("observability.metrics");
    }

    @Test
    void logFormatIsTextByDefaultJsonWhenAskedAndNothingElse() {
        assertThat(ObservabilitySettings.fromMap(null).logFormat()).isEqualTo(ObservabilitySettings.LogFormat.TEXT);
        assertThat(parse("observability: {log_format: JSON}").logFormat()).isEqualTo(ObservabilitySettings.LogFormat.JSON);
        assertThatThrownBy(() -> parse("observability: {log_format: xml}"))
                .hasMessageContaining("observability.log_format").hasMessageContaining("'text' or 'json'");
    }

    @Test
    void traceUiUrlNeedsAnHttpAddressWithTheTraceIdPlaceholder() {
        assertThat(parse("observability: {trace_ui_url: 'http://jaeger:16686/trace/{trace_id}'}").traceUiUrl())
                .isEqualTo("http://jaeger:16686/trace/{trace_id}");
        assertThat(ObservabilitySettings.fromMap(null).traceUiUrl()).isEmpty();
        assertThatThrownBy(() -> parse("observability: {trace_ui_url: 'http://jaeger:16686/search'}"))
                .hasMessageContaining("observability.trace_ui_url");
        assertThatThrownBy(() -> parse("observability: {trace_ui_url: 'javascript:alert({trace_id})'}"))
                .hasMessageContaining("observability.trace_ui_url");
    }
}
