package io.omnisql.observe;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Header;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

import java.time.InstantSource;
import java.util.function.Function;

/**
 * The gateway's metrics, traces and query log. One instance per gateway; close it on shutdown to
 * flush pending spans.
 *
 * <p>Metrics live in a Micrometer Prometheus registry owned by this instance (the backend of Helidon's
 * micrometer metrics provider; Helidon's own registry wraps Micrometer's static global registry, which
 * would share counts between instances).
 */
public final class Telemetry implements AutoCloseable {
    private static final Header PROMETHEUS_TEXT = HeaderValues.create(HeaderNames.CONTENT_TYPE,
                                                                      "text/plain; version=0.0.4; charset=utf-8");

    private final PrometheusMeterRegistry registry;
    private final Metrics metrics;
    private final Tracing tracing;
    private final QueryLog queryLog;

    private Telemetry(ObservabilitySettings settings, InstantSource clock) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.metrics = new Metrics(registry);
        this.tracing = new Tracing(settings.tracing());
        this.queryLog = new QueryLog(settings.queryLog(), clock);
    }

    public static Telemetry create(ObservabilitySettings settings) {
        return new Telemetry(settings, InstantSource.system());
    }

    static Telemetry create(ObservabilitySettings settings, InstantSource clock) {
        return new Telemetry(settings, clock);
    }

    /** Serves {@code GET /metrics} in Prometheus text format. */
    public void register(HttpRouting.Builder routing) {
        routing.get("/metrics", (req, res) -> {
            res.header(PROMETHEUS_TEXT);
            res.send(metrics.scrape());
        });
    }

    /**
     * Opens the server span of a request. A valid W3C {@code traceparent} (read through {@code headerLookup},
     * which gets lower-case header names) makes it a child of the caller's span.
     *
     * @param routeTemplate the matched route template (e.g. {@code /v1/query}), never the raw path
     */
    public RequestTrace startRequest(String method, String routeTemplate, Function<String, String> headerLookup) {
        io.helidon.tracing.Span.Builder<?> builder = tracing.spanBuilder(method + " " + routeTemplate)
                .kind(io.helidon.tracing.Span.Kind.SERVER)
                .tag("http.method", method)
                .tag("http.route", routeTemplate);
        tracing.extract(headerLookup).ifPresent(builder::parent);
        return new HttpRequestTrace(tracing, builder.start(), metrics, method, routeTemplate);
    }

    /**
     * Opens the server span of one statement received over the Postgres wire protocol ({@code PG query}); it is
     * not an HTTP request, so ending it counts nothing in {@code http_requests_total} (query metrics are counted
     * by the caller as for HTTP).
     */
    public RequestTrace startWireQuery(String statementKind) {
        io.helidon.tracing.Span span = tracing.spanBuilder("PG " + statementKind)
                .kind(io.helidon.tracing.Span.Kind.SERVER)
                .tag("db.system", "postgresql")
                .tag("network.protocol.name", "postgresql")
                .start();
        return new HttpRequestTrace(tracing, span, null, "PG", null);
    }

    public Metrics metrics() {
        return metrics;
    }

    public QueryLog queryLog() {
        return queryLog;
    }

    /** Exports every span ended so far. */
    public void flushTraces() {
        tracing.flush();
    }

    @Override
    public void close() {
        tracing.close();
        registry.close();
    }
}
