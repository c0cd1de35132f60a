package io.omnisql.observe;

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
 * </pre>
 *
 * Every key applies on reload without a restart; {@code OTEL_*} environment variables override the tracing
 * keys (see {@link Tracing}), {@code OMNISQL_LOG_FORMAT} overrides {@code log_format}.
 */
public record ObservabilitySettings(Tracing tracing, boolean queryLog, LogFormat logFormat) {

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
        this(tracing, queryLog, LogFormat.TEXT);
    }

    /** These settings with the log format replaced (the environment's override). */
    public ObservabilitySettings withLogFormat(LogFormat format) {
        return new ObservabilitySettings(tracing, queryLog, format);
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

    private static final Set<String> SECTION_KEYS = Set.of("tracing", "query_log", "log_format");
    private static final Set<String> TRACING_KEYS = Set.of("exporter", "endpoint", "sample_ratio", "service_name");

    public static ObservabilitySettings defaults() {
        return new ObservabilitySettings(new Tracing(Exporter.NONE, DEFAULT_ENDPOINT, 1.0, "omnisql"), true, LogFormat.TEXT);
    }

    /**
     * Parses the value of the {@code observability} key; {@code null} (section absent) means defaults.
     *
     * @throws IllegalArgumentException naming the offending key path
     */
    public static ObservabilitySettings fromMap(Map<String, Object> section) {
        ObservabilitySettings d = defaults();
        if (section == null) {
            return d;
        }
        checkKeys(section, SECTION_KEYS, "observability");
        Map<String, Object> t = map(section.get("tracing"), "observability.tracing");
        Tracing tracing = d.tracing();
        if (t != null) {
            checkKeys(t, TRACING_KEYS, "observability.tracing");
            tracing = new Tracing(
                    t.containsKey("exporter") ? exporter(t.get("exporter")) : tracing.exporter(),
                    t.containsKey("endpoint") ? endpoint(t.get("endpoint")) : tracing.endpoint(),
                    t.containsKey("sample_ratio") ? ratio(t.get("sample_ratio")) : tracing.sampleRatio(),
                    t.containsKey("service_name") ? string(t.get("service_name"), "observability.tracing.service_name")
                            : tracing.serviceName());
        }
        boolean queryLog = d.queryLog();
        if (section.containsKey("query_log")) {
            if (!(section.get("query_log") instanceof Boolean b)) {
                throw new IllegalArgumentException("observability.query_log must be true or false, got '" + section.get("query_log") + "'");
            }
            queryLog = b;
        }
        LogFormat logFormat = section.containsKey("log_format")
                ? LogFormat.parse(string(section.get("log_format"), "observability.log_format"), "observability.log_format")
                : d.logFormat();
        return new ObservabilitySettings(tracing, queryLog, logFormat);
    }

    private static void checkKeys(Map<String, Object> m, Set<String> allowed, String path) {
        for (String key : m.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(path + "." + key + " is not a known key (expected one of "
                        + allowed.stream().sorted().toList() + ")");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String path) {
        if (value == null || value instanceof Map) {
            return (Map<String, Object>) value;
        }
        throw new IllegalArgumentException(path + " must be a mapping, got '" + value + "'");
    }

    private static String string(Object value, String path) {
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(path + " must be a string, got '" + value + "'");
    }

    private static Exporter exporter(Object value) {
        String s = string(value, "observability.tracing.exporter");
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "none" -> Exporter.NONE;
            case "otlp" -> Exporter.OTLP;
            default -> throw new IllegalArgumentException("observability.tracing.exporter must be 'none' or 'otlp', got '" + s + "'");
        };
    }

    private static URI endpoint(Object value) {
        String s = string(value, "observability.tracing.endpoint");
        try {
            return new URI(s);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("observability.tracing.endpoint is not a valid URL: '" + s + "'", e);
        }
    }

    private static double ratio(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("observability.tracing.sample_ratio must be a number between 0 and 1, got '" + value + "'");
    }
}
