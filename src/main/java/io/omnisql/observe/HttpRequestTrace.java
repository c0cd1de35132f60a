package io.omnisql.observe;

import io.omnisql.error.ErrorCode;

/**
 * The server span of a request; ending it also counts the request in {@code http_requests_total} (not for wire
 * protocol statements, which have no metrics here).
 */
final class HttpRequestTrace extends TracedSpan implements RequestTrace {
    private final Metrics metrics;
    private final String method;
    private final String route;
    private final String traceId;
    private final String traceparent;

    HttpRequestTrace(Tracing tracing, io.helidon.tracing.Span span, Metrics metrics, String method, String route) {
        super(tracing, span);
        this.metrics = metrics;
        this.method = method;
        this.route = route;
        io.opentelemetry.api.trace.SpanContext ids = span.unwrap(io.opentelemetry.api.trace.Span.class).getSpanContext();
        this.traceId = ids.getTraceId();
        this.traceparent = "00-" + traceId + "-" + ids.getSpanId() + "-" + ids.getTraceFlags().asHex();
    }

    @Override
    public String traceId() {
        return traceId;
    }

    @Override
    public String traceparent() {
        return traceparent;
    }

    @Override
    public void end(int status, ErrorCode error) {
        if (!markEnded()) {
            return;
        }
        span.tag("http.status_code", status);
        if (error != null) {
            span.tag("error.code", error.name());
        }
        if (status >= 500) {
            span.status(io.helidon.tracing.Span.Status.ERROR);
        }
        span.end();
        if (metrics != null) {
            metrics.httpRequest(method, route, status);
        }
    }

    @Override
    public void end() {
        end(ErrorCode.INTERNAL.status(), ErrorCode.INTERNAL);
    }
}
