package io.omnisql.observe;

import io.helidon.tracing.HeaderProvider;
import io.helidon.tracing.SpanContext;
import io.helidon.tracing.Tracer;
import io.helidon.tracing.providers.opentelemetry.HelidonOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Helidon tracing over a private OpenTelemetry SDK (never the global one, so several gateways or tests
 * can live in one JVM). With exporter {@code none} the sampler drops every span: the SDK still mints
 * real trace and span ids, which is all the caller needs, at the cost of a few allocations.
 */
final class Tracing implements AutoCloseable {
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    Tracing(ObservabilitySettings.Tracing settings) {
        SdkTracerProviderBuilder builder = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, settings.serviceName()))));
        if (settings.exporter() == ObservabilitySettings.Exporter.OTLP) {
            builder.setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
                    .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                            .setEndpoint(settings.endpoint().toString())
                            .build()).build());
        } else {
            builder.setSampler(Sampler.alwaysOff());
        }
        provider = builder.build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        tracer = HelidonOpenTelemetry.create(sdk, sdk.getTracer("io.omnisql"), Map.of());
    }

    /** Context from the request's {@code traceparent}/{@code tracestate} headers; empty-context when absent or invalid. */
    Optional<SpanContext> extract(Function<String, String> headerLookup) {
        return tracer.extract(new LookupHeaders(headerLookup));
    }

    io.helidon.tracing.Span.Builder<?> spanBuilder(String name) {
        return tracer.spanBuilder(name);
    }

    /** Exports every span ended so far; used by tests and before shutdown. */
    void flush() {
        provider.forceFlush().join(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
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
