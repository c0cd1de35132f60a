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
    private final long startNanos;

    HttpRequestTrace(Tracing tracing, io.helidon.tracing.Span span, Metrics metrics, String method, String route) {
        super(tracing, span);
        this.metrics = metrics;
        this.method = method;
        this.route = route;
        this.traceId = span.unwrap(io.opentelemetry.api.trace.Span.class).getSpanContext().getTraceId();
        this.traceparent = traceparent(span);
        this.startNanos = System.nanoTime();
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
        if (route != null) {
            span.tag("http.response.status_code", status);
        }
        if (error != null) {
            span.tag("error.code", error.name());
        }
        if (status >= 500) {
            // Semantic conventions: a server span fails on 5xx only, error.type naming the status code.
            span.tag("error.type", Integer.toString(status));
            span.status(io.helidon.tracing.Span.Status.ERROR);
        }
        span.end();
        if (metrics != null) {
            metrics.httpRequest(method, route, status, System.nanoTime() - startNanos);
        }
    }

    @Override
    public void end() {
        end(ErrorCode.INTERNAL.status(), ErrorCode.INTERNAL);
    }
}
