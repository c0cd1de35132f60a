package io.omnisql.observe;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the YAML tracing keys and the OTEL_* environment combine into the SDK's properties. */
class TracingPropertiesTest {
    private static final ObservabilitySettings.Tracing YAML_OTLP = new ObservabilitySettings.Tracing(
            ObservabilitySettings.Exporter.OTLP, URI.create("http://yaml-collector:4318/v1/traces"), 0.25, "from-yaml");

    @Test
    void yamlAloneMapsToTheSdkKeysWithHttpProtobuf() {
        Map<String, String> p = Tracing.properties(YAML_OTLP, name -> null);
        assertThat(p).containsEntry("otel.traces.exporter", "otlp")
                .containsEntry("otel.exporter.otlp.protocol", "http/protobuf")
                .containsEntry("otel.exporter.otlp.traces.endpoint", "http://yaml-collector:4318/v1/traces")
                .containsEntry("otel.traces.sampler", "parentbased_traceidratio")
                .containsEntry("otel.traces.sampler.arg", "0.25")
                .containsEntry("otel.service.name", "from-yaml")
                .containsEntry("otel.metrics.exporter", "none")
                .containsEntry("otel.logs.exporter", "none");
    }

    @Test
    void genericEnvironmentEndpointReplacesTheYamlTracesEndpointAndTurnsExportOn() {
        ObservabilitySettings.Tracing off = ObservabilitySettings.defaults().tracing();
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env-collector:4318",
                "OTEL_SERVICE_NAME", "from-env");
        Map<String, String> p = Tracing.properties(off, env::get);
        assertThat(p).doesNotContainKey("otel.exporter.otlp.traces.endpoint")
                .containsEntry("otel.exporter.otlp.endpoint", "http://env-collector:4318")
                .containsEntry("otel.traces.exporter", "otlp")
                .containsEntry("otel.service.name", "from-env");
    }

    @Test
    void environmentSamplerWithoutArgumentDropsTheYamlRatioAndExplicitNoneWins() {
        Map<String, String> sampler = Tracing.properties(YAML_OTLP, Map.of("OTEL_TRACES_SAMPLER", "always_on")::get);
        assertThat(sampler).containsEntry("otel.traces.sampler", "always_on").doesNotContainKey("otel.traces.sampler.arg");

        Map<String, String> none = Tracing.properties(YAML_OTLP, Map.of("OTEL_TRACES_EXPORTER", "none")::get);
        assertThat(none).containsEntry("otel.traces.exporter", "none").containsEntry("otel.traces.sampler", "always_off");
    }

    @Test
    void aValueTheSdkRejectsIsAConfigurationError() {
        assertThatThrownBy(() -> new Tracing(YAML_OTLP, Map.of("OTEL_TRACES_SAMPLER", "sometimes")::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sometimes");
    }
}
