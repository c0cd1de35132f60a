package io.omnisql.observe;

import io.helidon.tracing.HeaderProvider;
import io.helidon.tracing.SpanContext;
import io.helidon.tracing.Tracer;
import io.helidon.tracing.providers.opentelemetry.HelidonOpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Helidon tracing over a private OpenTelemetry SDK (never the global one, so several gateways or tests
 * can live in one JVM), built by the SDK's own autoconfiguration: the {@code observability.tracing} keys
 * are translated to {@code otel.*} properties and the standard {@code OTEL_*} environment variables
 * override them, exactly as in any OpenTelemetry SDK. With no exporter the sampler drops every span: the
 * SDK still mints real trace and span ids, which is all the caller needs, at the cost of a few allocations.
 */
final class Tracing implements AutoCloseable {
    /**
     * The environment variables read for tracing (the SDK's names). The gateway reads its environment through
     * a lookup function, which cannot be enumerated, hence the list.
     */
    static final List<String> ENV = List.of(
            "OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_EXPORTER",
            "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_PROPAGATORS",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
            "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
            "OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
            "OTEL_EXPORTER_OTLP_CERTIFICATE", "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE",
            "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE",
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_EVENT_COUNT_LIMIT");

    private static final String TRACES_EXPORTER = "otel.traces.exporter";
    private static final String SAMPLER = "otel.traces.sampler";
    private static final String SAMPLER_ARG = "otel.traces.sampler.arg";
    private static final String TRACES_ENDPOINT = "otel.exporter.otlp.traces.endpoint";

    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final String description;

    /** @throws IllegalArgumentException when the environment holds a value the SDK rejects (e.g. an unknown sampler) */
    Tracing(ObservabilitySettings.Tracing settings, Function<String, String> env) {
        Map<String, String> properties = properties(settings, env);
        try {
            sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    // Applied last: they override system properties and the process environment, so the lookup
                    // function (System::getenv in production, a map in tests) decides.
                    .addPropertiesCustomizer(ignored -> properties)
                    .disableShutdownHook()
                    .build()
                    .getOpenTelemetrySdk();
        } catch (ConfigurationException e) {
            throw new IllegalArgumentException("OpenTelemetry configuration rejected: " + e.getMessage(), e);
        }
        tracer = HelidonOpenTelemetry.create(sdk, sdk.getTracer("io.omnisql"), Map.of());
        String exporter = properties.get(TRACES_EXPORTER);
        description = "exporter " + exporter + ("none".equals(exporter) ? ""
                : " to " + properties.getOrDefault(TRACES_ENDPOINT, properties.get("otel.exporter.otlp.endpoint"))
                + ", sampler " + properties.get(SAMPLER) + Optional.ofNullable(properties.get(SAMPLER_ARG)).map(a -> " " + a).orElse(""));
    }

    /**
     * The SDK properties for {@code settings} with the environment's {@code OTEL_*} variables on top. Beyond a plain
     * overlay: an {@code OTEL_EXPORTER_OTLP_ENDPOINT} replaces the YAML endpoint (the SDK would otherwise prefer the
     * signal-specific key the YAML maps to) and turns export on unless {@code OTEL_TRACES_EXPORTER} says otherwise;
     * a sampler from the environment drops the YAML ratio; without an exporter nothing is recorded.
     */
    static Map<String, String> properties(ObservabilitySettings.Tracing settings, Function<String, String> env) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("otel.service.name", settings.serviceName());
        p.put(TRACES_EXPORTER, settings.exporter() == ObservabilitySettings.Exporter.OTLP ? "otlp" : "none");
        // The specification's default; the Java SDK 1.x would otherwise pick gRPC.
        p.put("otel.exporter.otlp.protocol", "http/protobuf");
        p.put(TRACES_ENDPOINT, settings.endpoint().toString());
        p.put(SAMPLER, "parentbased_traceidratio");
        p.put(SAMPLER_ARG, Double.toString(settings.sampleRatio()));
        Map<String, String> fromEnv = new LinkedHashMap<>();
        for (String name : ENV) {
            String value = env.apply(name);
            if (value != null && !value.isBlank()) {
                fromEnv.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            }
        }
        if (fromEnv.containsKey("otel.exporter.otlp.endpoint") && !fromEnv.containsKey(TRACES_ENDPOINT)) {
            p.remove(TRACES_ENDPOINT);
        }
        if ((fromEnv.containsKey("otel.exporter.otlp.endpoint") || fromEnv.containsKey(TRACES_ENDPOINT))
                && !fromEnv.containsKey(TRACES_EXPORTER)) {
            p.put(TRACES_EXPORTER, "otlp");
        }
        if (fromEnv.containsKey(SAMPLER) && !fromEnv.containsKey(SAMPLER_ARG)) {
            p.remove(SAMPLER_ARG);
        }
        p.putAll(fromEnv);
        if ("none".equals(p.get(TRACES_EXPORTER))) {
            p.put(SAMPLER, "always_off");
            p.remove(SAMPLER_ARG);
        }
        // Metrics are served at /metrics and logs go to the console: the SDK exports traces only.
        p.put("otel.metrics.exporter", "none");
        p.put("otel.logs.exporter", "none");
        return p;
    }

    /** Context from the request's {@code traceparent}/{@code tracestate} headers; empty-context when absent or invalid. */
    Optional<SpanContext> extract(Function<String, String> headerLookup) {
        return tracer.extract(new LookupHeaders(headerLookup));
    }

    io.helidon.tracing.Span.Builder<?> spanBuilder(String name) {
        return tracer.spanBuilder(name);
    }

    /** What this pipeline does, for the log line of a reload. */
    String description() {
        return description;
    }

    /** Exports every span ended so far; used by tests and before shutdown. */
    void flush() {
        sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        sdk.getSdkTracerProvider().shutdown().join(10, TimeUnit.SECONDS);
    }

    /** W3C propagation only reads named headers, so key enumeration is never needed. */
    private record LookupHeaders(Function<String, String> lookup) implements HeaderProvider {
        @Override
        public Iterable<String> keys() {
            return List.of();
        }

        @Override
        public Optional<String> get(String key) {
            return Optional.ofNullable(lookup.apply(key));
        }

        @Override
        public Iterable<String> getAll(String key) {
            return get(key).map(List::of).orElse(List.of());
        }

        @Override
        public boolean contains(String key) {
            return lookup.apply(key) != null;
        }
    }
}
