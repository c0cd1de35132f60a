package io.omnisql.observe;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link Span} over a Helidon tracing span; children name their parent explicitly, never via thread-locals. */
class TracedSpan implements Span {
    final Tracing tracing;
    final io.helidon.tracing.Span span;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** False when the sampler dropped the trace (always, without an exporter): its children are not built at all. */
    private final boolean recording;

    TracedSpan(Tracing tracing, io.helidon.tracing.Span span) {
        this.tracing = tracing;
        this.span = span;
        this.recording = span.unwrap(io.opentelemetry.api.trace.Span.class).isRecording();
    }

    @Override
    public Span child(String name, Map<String, Object> attributes) {
        if (!recording) {
            return new Unrecorded(this);
        }
        io.helidon.tracing.Span.Builder<?> builder = tracing.spanBuilder(name).parent(span.context());
        attributes.forEach((k, v) -> tag(builder, k, v));
        return new TracedSpan(tracing, builder.start());
    }

    @Override
    public void exchange(String name, Map<String, Object> attributes, long nanos) {
        if (!recording) {
            return;
        }
        Instant now = Instant.now();
        io.helidon.tracing.Span.Builder<?> builder = tracing.spanBuilder(name).parent(span.context())
                .kind(io.helidon.tracing.Span.Kind.CLIENT);
        attributes.forEach((k, v) -> tag(builder, k, v));
        // Helidon's span has no end(Instant); the OpenTelemetry span underneath does.
        builder.start(now.minusNanos(nanos)).unwrap(io.opentelemetry.api.trace.Span.class).end(now);
    }

    @Override
    public String traceparent() {
        return traceparent(span);
    }

    static String traceparent(io.helidon.tracing.Span span) {
        io.opentelemetry.api.trace.SpanContext ids = span.unwrap(io.opentelemetry.api.trace.Span.class).getSpanContext();
        return "00-" + ids.getTraceId() + "-" + ids.getSpanId() + "-" + ids.getTraceFlags().asHex();
    }

    @Override
    public Span attribute(String key, Object value) {
        switch (value) {
            case String s -> span.tag(key, s);
            case Boolean b -> span.tag(key, b);
            case Number n -> span.tag(key, n);
            case null -> { }
            default -> span.tag(key, value.toString());
        }
        return this;
    }

    @Override
    public Span fail(String errorCode) {
        span.status(io.helidon.tracing.Span.Status.ERROR);
        span.tag("error.code", errorCode);
        return this;
    }

    @Override
    public void end() {
        if (markEnded()) {
            span.end();
        }
    }

    /** True for the first caller only, so a span is ended exactly once whatever mix of end/close is used. */
    boolean markEnded() {
        return ended.compareAndSet(false, true);
    }

    static void tag(io.helidon.tracing.Span.Builder<?> builder, String key, Object value) {
        switch (value) {
            case String s -> builder.tag(key, s);
            case Boolean b -> builder.tag(key, b);
            case Number n -> builder.tag(key, n);
            case null -> { }
            default -> builder.tag(key, value.toString());
        }
    }

    /**
     * A child of a span the sampler dropped: nothing would be recorded or exported, so nothing is built (a cached
     * query starts several children). Calls made for it carry the recorded ancestor's traceparent, flags unsampled.
     */
    private record Unrecorded(TracedSpan parent) implements Span {
        @Override
        public Span child(String name, Map<String, Object> attributes) {
            return this;
        }

        @Override
        public void exchange(String name, Map<String, Object> attributes, long nanos) {
        }

        @Override
        public String traceparent() {
            return parent.traceparent();
        }

        @Override
        public Span attribute(String key, Object value) {
            return this;
        }

        @Override
        public Span fail(String errorCode) {
            return this;
        }

        @Override
        public void end() {
        }
    }
}
