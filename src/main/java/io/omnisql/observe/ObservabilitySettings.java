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
 * </pre>
 */
public record ObservabilitySettings(Tracing tracing, boolean queryLog, String traceUiUrl) {

    /** Settings without a tracing UI link. */
    public ObservabilitySettings(Tracing tracing, boolean queryLog) {
        this(tracing, queryLog, "");
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

    private static final Set<String> SECTION_KEYS = Set.of("tracing", "query_log", "trace_ui_url");
    private static final Set<String> TRACING_KEYS = Set.of("exporter", "endpoint", "sample_ratio", "service_name");

    public static ObservabilitySettings defaults() {
        return new ObservabilitySettings(new Tracing(Exporter.NONE, DEFAULT_ENDPOINT, 1.0, "omnisql"), true);
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
        String traceUi = "";
        if (section.get("trace_ui_url") != null) {
            traceUi = string(section.get("trace_ui_url"), "observability.trace_ui_url");
            URI u;
            try {
                u = URI.create(traceUi.replace("{trace_id}", "x"));
            } catch (IllegalArgumentException e) {
                u = null;
            }
            if (u == null || !traceUi.contains("{trace_id}") || u.getHost() == null
                    || !"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw new IllegalArgumentException("observability.trace_ui_url must be an http(s) URL containing {trace_id}, got '"
                        + traceUi + "'");
            }
        }
        return new ObservabilitySettings(tracing, queryLog, traceUi);
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
