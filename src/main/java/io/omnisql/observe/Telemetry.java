package io.omnisql.observe;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Header;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The gateway's metrics, traces and query log. One instance per gateway; close it on shutdown to
 * flush pending spans.
 *
 * <p>Metrics live in a Micrometer Prometheus registry owned by this instance (the backend of Helidon's
 * micrometer metrics provider; Helidon's own registry wraps Micrometer's static global registry, which
 * would share counts between instances).
 *
 * <p>The {@code observability:} settings apply on reload ({@link #apply}); nothing here needs a restart.
 */
public final class Telemetry implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("omnisql.observe");
    private static final Header PROMETHEUS_TEXT = HeaderValues.create(HeaderNames.CONTENT_TYPE,
                                                                      "text/plain; version=0.0.4; charset=utf-8");
    /** How long a replaced tracing pipeline keeps exporting the spans of requests that started under it. */
    private static final Duration RETIRE_AFTER = Duration.ofSeconds(60);

    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> binders = new ArrayList<>();
    private final Metrics metrics;
    private final Function<String, String> env;
    private final QueryLog queryLog;
    private final LogOutput logOutput = new LogOutput();
    private final Set<Tracing> retired = ConcurrentHashMap.newKeySet();
    private volatile Tracing tracing;
    private volatile ObservabilitySettings settings;

    private Telemetry(ObservabilitySettings settings, Function<String, String> env, InstantSource clock) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        bindJvmMetrics();
        this.metrics = new Metrics(registry);
        this.env = env;
        this.settings = withEnv(settings);
        this.tracing = new Tracing(this.settings.tracing(), env);
        this.queryLog = new QueryLog(this.settings.queryLog(), clock);
        logOutput.apply(this.settings.logFormat());
        LOG.info(() -> "tracing " + tracing.description());
    }

    /** Settings without an environment: YAML alone decides (tests). */
    public static Telemetry create(ObservabilitySettings settings) {
        return new Telemetry(settings, name -> null, InstantSource.system());
    }

    /**
     * @param env the process environment ({@code System::getenv}): {@code OTEL_*} variables override the tracing
     *            settings, {@code OMNISQL_LOG_FORMAT} the log format
     * @throws IllegalArgumentException when the environment holds a value the OpenTelemetry SDK rejects
     */
    public static Telemetry create(ObservabilitySettings settings, Function<String, String> env) {
        return new Telemetry(settings, env, InstantSource.system());
    }

    static Telemetry create(ObservabilitySettings settings, InstantSource clock) {
        return new Telemetry(settings, name -> null, clock);
    }

    /**
     * Applies an edited {@code observability:} section without a restart: a new tracing pipeline (exporter,
     * endpoint, sampling, service name) takes the requests that start from now on while the old one finishes
     * exporting those already under way; the query log switch and the log format apply to the next line.
     */
    public void apply(ObservabilitySettings next) {
        ObservabilitySettings effective = withEnv(next);
        ObservabilitySettings before = settings;
        if (!effective.tracing().equals(before.tracing()) && !replaceTracing(effective.tracing())) {
            effective = new ObservabilitySettings(before.tracing(), effective.queryLog(), effective.logFormat(),
                    effective.traceUiUrl());
        }
        queryLog.enabled(effective.queryLog());
        if (effective.logFormat() != before.logFormat()) {
            logOutput.apply(effective.logFormat());
            ObservabilitySettings.LogFormat format = effective.logFormat();
            LOG.info(() -> "log format now " + format.name().toLowerCase(java.util.Locale.ROOT));
        }
        settings = effective;
    }

    /** Swaps in a pipeline for {@code next}; false (the old one kept, the reason logged) when it cannot be built. */
    private boolean replaceTracing(ObservabilitySettings.Tracing next) {
        Tracing replacement;
        try {
            replacement = new Tracing(next, env);
        } catch (IllegalArgumentException e) {
            LOG.severe(() -> "observability.tracing not applied, still " + tracing.description() + ": " + e.getMessage());
            return false;
        }
        Tracing old = tracing;
        tracing = replacement;
        retire(old);
        LOG.info(() -> "tracing now " + replacement.description());
        return true;
    }

    /** The settings in force, environment overrides included. */
    public ObservabilitySettings settings() {
        return settings;
    }

    private ObservabilitySettings withEnv(ObservabilitySettings s) {
        String format = env.apply("OMNISQL_LOG_FORMAT");
        return format == null || format.isBlank() ? s
                : s.withLogFormat(ObservabilitySettings.LogFormat.parse(format, "OMNISQL_LOG_FORMAT"));
    }

    /** Closes {@code old} once the requests that started under it have had time to end their spans. */
    private void retire(Tracing old) {
        retired.add(old);
        Thread.ofVirtual().name("omnisql-tracing-retire").start(() -> {
            try {
                Thread.sleep(RETIRE_AFTER);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (retired.remove(old)) {
                old.close();
            }
        });
    }

    /** JVM and process series every JVM dashboard charts: jvm_memory_*, jvm_gc_*, jvm_threads_*, process_*. */
    private void bindJvmMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
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
        return startRequest(method, routeTemplate, routeTemplate, headerLookup);
    }

    /**
     * As {@link #startRequest(String, String, Function)} for a route whose template has parameters: {@code path}
     * is the request's path ({@code url.path}), {@code routeTemplate} its bounded label ({@code http.route}).
     */
    public RequestTrace startRequest(String method, String routeTemplate, String path, Function<String, String> headerLookup) {
        Tracing current = tracing;
        // HTTP semantic conventions (stable names): span "{method} {route}".
        io.helidon.tracing.Span.Builder<?> builder = current.spanBuilder(method + " " + routeTemplate)
                .kind(io.helidon.tracing.Span.Kind.SERVER)
                .tag("http.request.method", method)
                .tag("http.route", routeTemplate)
                .tag("url.path", path)
                .tag("url.scheme", "http");
        String userAgent = headerLookup.apply("user-agent");
        if (userAgent != null) {
            builder.tag("user_agent.original", userAgent);
        }
        current.extract(headerLookup).ifPresent(builder::parent);
        return new HttpRequestTrace(current, builder.start(), metrics, method, routeTemplate);
    }

    /**
     * Opens the server span of one statement received over the Postgres wire protocol ({@code PG query}); it is
     * not an HTTP request, so ending it counts nothing in {@code http_requests_total} (query metrics are counted
     * by the caller as for HTTP).
     */
    public RequestTrace startWireQuery(String statementKind) {
        Tracing current = tracing;
        io.helidon.tracing.Span span = current.spanBuilder("PG " + statementKind)
                .kind(io.helidon.tracing.Span.Kind.SERVER)
                .tag("db.system", "postgresql")
                .tag("network.protocol.name", "postgresql")
                .start();
        return new HttpRequestTrace(current, span, null, "PG", null);
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
        retired.forEach(Tracing::flush);
    }

    @Override
    public void close() {
        queryLog.close();
        tracing.close();
        for (Tracing old : List.copyOf(retired)) {
            if (retired.remove(old)) {
                old.close();
            }
        }
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                LOG.fine(() -> "closing a metrics binder: " + e);
            }
        }
        registry.close();
    }
}
