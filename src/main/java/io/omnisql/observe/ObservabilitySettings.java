package io.omnisql.observe;

import io.omnisql.config.ConfigException;
import io.omnisql.config.Section;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code observability:} section of catalog.yaml.
 *
 * <pre>
 * observability:
 *   tracing: {exporter: none, endpoint: "http://127.0.0.1:4318/v1/traces", sample_ratio: 1.0, service_name: omnisql}
 *   query_log: true
 *   log_format: text        # or json: one JSON object per line for a log pipeline
 *   trace_ui_url: ""        # e.g. http://jaeger:16686/trace/{trace_id}: where the web console links trace ids
 * </pre>
 *
 * Every key applies on reload without a restart; {@code OTEL_*} environment variables override the tracing
 * keys (see {@link Tracing}), {@code OMNISQL_LOG_FORMAT} overrides {@code log_format}.
 */
public record ObservabilitySettings(Tracing tracing, boolean queryLog, LogFormat logFormat, String traceUiUrl) {

    /** How the process writes its log lines (the query log included). */
    public enum LogFormat {
        /** java.util.logging's two-line text, for a terminal. */
        TEXT,
        /** One JSON object per line: timestamp, level, logger, message, trace_id/span_id, fields. */
        JSON;

        /** Parses {@code text} or {@code json} (any case). */
        public static LogFormat parse(String value, String path) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new IllegalArgumentException(path + " must be 'text' or 'json', got '" + value + "'");
            };
        }
    }

    /** Text log lines: the shape before {@code log_format} existed. */
    public ObservabilitySettings(Tracing tracing, boolean queryLog) {
        this(tracing, queryLog, LogFormat.TEXT, "");
    }

    /** These settings with the log format replaced (the environment's override). */
    public ObservabilitySettings withLogFormat(LogFormat format) {
        return new ObservabilitySettings(tracing, queryLog, format, traceUiUrl);
    }

    /** Where finished spans go. Ids are generated either way, so callers always get a trace id. */
    public enum Exporter {
        NONE, OTLP
    }

    public record Tracing(Exporter exporter, URI endpoint, double sampleRatio, String serviceName) {
        public Tracing {
            if (!(sampleRatio >= 0.0 && sampleRatio <= 1.0)) {
                throw new IllegalArgumentException("observability.tracing.sample_ratio must be between 0 and 1, got " + sampleRatio);
            }
            String scheme = endpoint.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("observability.tracing.endpoint must be an absolute http(s) URL, got '" + endpoint + "'");
            }
            if (serviceName.isBlank()) {
                throw new IllegalArgumentException("observability.tracing.service_name must not be blank");
            }
        }
    }

    public static final URI DEFAULT_ENDPOINT = URI.create("http://127.0.0.1:4318/v1/traces");

    private static final Set<String> SECTION_KEYS = Set.of("tracing", "query_log", "log_format", "trace_ui_url");
    private static final Set<String> TRACING_KEYS = Set.of("exporter", "endpoint", "sample_ratio", "service_name");

    public static ObservabilitySettings defaults() {
        return new ObservabilitySettings(new Tracing(Exporter.NONE, DEFAULT_ENDPOINT, 1.0, "omnisql"), true, LogFormat.TEXT, "");
    }

    /**
     * Parses the value of the {@code observability} key as snakeyaml loads it ({@code null}: defaults), for settings
     * built in code; the file is read with {@link #from(Section)}, which names file and line.
     *
     * @throws IllegalArgumentException naming the offending key path
     */
    public static ObservabilitySettings fromMap(Map<String, Object> section) {
        try {
            return from(Section.of("observability", "observability", section == null ? Map.of() : section));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.problem(), e);
        }
    }

    /** Reads the {@code observability:} section (empty: defaults); every problem names file, line and key path. */
    public static ObservabilitySettings from(Section s) throws ConfigException {
        ObservabilitySettings d = defaults();
        s.allowOnly(SECTION_KEYS);
        Section t = s.section("tracing", false);
        t.allowOnly(TRACING_KEYS);
        Exporter exporter = switch (t.string("exporter", "none").toLowerCase(Locale.ROOT)) {
            case "none" -> Exporter.NONE;
            case "otlp" -> Exporter.OTLP;
            default -> throw t.error("exporter", "must be none or otlp, got '" + t.string("exporter", "") + "'");
        };
        URI endpoint = d.tracing().endpoint();
        if (t.has("endpoint")) {
            String text = t.string("endpoint", null);
            try {
                endpoint = new URI(text);
            } catch (java.net.URISyntaxException e) {
                throw t.error("endpoint", "is not a valid URL: '" + text + "'");
            }
            if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
                throw t.error("endpoint", "must be an absolute http(s) URL, got '" + text + "'");
            }
        }
        String serviceName = t.string("service_name", d.tracing().serviceName());
        if (serviceName.isBlank()) {
            throw t.error("service_name", "must not be blank");
        }
        Tracing tracing = new Tracing(exporter, endpoint, t.decimal("sample_ratio", d.tracing().sampleRatio(), 0.0, 1.0),
                serviceName);
        LogFormat logFormat = d.logFormat();
        if (s.has("log_format")) {
            String text = s.string("log_format", "text");
            try {
                logFormat = LogFormat.parse(text, s.at("log_format"));
            } catch (IllegalArgumentException e) {
                throw s.error("log_format", "must be 'text' or 'json', got '" + text + "'");
            }
        }
        String traceUi = s.string("trace_ui_url", "");
        if (!traceUi.isEmpty()) {
            URI u;
            try {
                u = URI.create(traceUi.replace("{trace_id}", "x"));
            } catch (IllegalArgumentException e) {
                u = null;
            }
            if (u == null || !traceUi.contains("{trace_id}") || u.getHost() == null
                    || !"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw s.error("trace_ui_url", "must be an http(s) URL containing {trace_id}, got '" + traceUi + "'");
            }
        }
        return new ObservabilitySettings(tracing, s.bool("query_log", d.queryLog()), logFormat, traceUi);
    }
}
