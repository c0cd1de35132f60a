package io.omnisql.pgwire;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A connection's settings: what {@code SET}/{@code SHOW} and the startup packet see. The {@code omnisql.*}
 * knobs are the per-query options of {@code POST /v1/query}; client settings the gateway honours (TimeZone)
 * or cannot honour (a non-ISO DateStyle, a non-UTF8 encoding) are validated, others are remembered as given.
 */
final class SessionSettings {
    static final String MAX_STALENESS = "omnisql.max_staleness_ms";
    static final String TIMEOUT = "omnisql.timeout_ms";
    static final String ALLOW_STALE = "omnisql.allow_stale";
    /** Sent as ParameterStatus at startup and whenever a SET changes them. */
    static final Set<String> REPORTED = Set.of("server_version", "server_encoding", "client_encoding", "application_name",
            "datestyle", "intervalstyle", "integer_datetimes", "standard_conforming_strings", "timezone", "is_superuser",
            "session_authorization");
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> names = new LinkedHashMap<>();

    SessionSettings(String serverVersion, String user) {
        for (Map.Entry<String, String> e : defaults(serverVersion).entrySet()) {
            put(e.getKey(), e.getValue());
        }
        put("session_authorization", user);
    }

    static Map<String, String> defaults(String serverVersion) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("server_version", serverVersion);
        d.put("server_version_num", serverVersionNum(serverVersion));
        d.put("server_encoding", "UTF8");
        d.put("client_encoding", "UTF8");
        d.put("DateStyle", "ISO, MDY");
        d.put("IntervalStyle", "postgres");
        d.put("integer_datetimes", "on");
        d.put("standard_conforming_strings", "on");
        d.put("TimeZone", "UTC");
        d.put("is_superuser", "off");
        d.put("application_name", "");
        d.put("search_path", "\"$user\", public");
        d.put("extra_float_digits", "1");
        d.put("transaction_isolation", "read committed");
        d.put("default_transaction_read_only", "on");
        d.put("max_identifier_length", "63");
        d.put("max_index_keys", "32");
        d.put("client_min_messages", "notice");
        d.put(MAX_STALENESS, "");
        d.put(TIMEOUT, "");
        d.put(ALLOW_STALE, "off");
        return d;
    }

    private static String serverVersionNum(String v) {
        String[] parts = v.split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
        return Integer.toString(major * 10000 + minor);
    }

    private void put(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        names.putIfAbsent(key, name);
        values.put(key, value);
    }

    /** Sets {@code name}; returns its canonical spelling (for ParameterStatus). */
    String set(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        String v = value;
        switch (key) {
            case MAX_STALENESS -> v = whole(key, value, 0);
            case TIMEOUT -> v = whole(key, value, 1);
            case ALLOW_STALE -> v = bool(key, value) ? "on" : "off";
            case "client_encoding" -> {
                String e = value.replace("-", "").replace("_", "").toUpperCase(Locale.ROOT);
                if (!e.equals("UTF8") && !e.equals("UNICODE")) {
                    throw invalid("client_encoding " + value + " is not supported; OmniSQL speaks UTF8 only");
                }
                v = "UTF8";
            }
            case "datestyle" -> {
                if (!value.toUpperCase(Locale.ROOT).startsWith("ISO")) {
                    throw invalid("DateStyle " + value + " is not supported; OmniSQL answers ISO dates");
                }
            }
            case "timezone" -> zoneOf(value);
            case "server_version", "server_encoding", "integer_datetimes", "server_version_num", "is_superuser",
                 "session_authorization", "max_identifier_length", "max_index_keys" -> throw new QueryException(ErrorCode.BAD_REQUEST,
                    "parameter \"" + name + "\" cannot be changed");
            case "standard_conforming_strings" -> {
                if (!bool(key, value)) {
                    throw invalid("standard_conforming_strings cannot be turned off");
                }
                v = "on";
            }
            default -> {
                if (key.startsWith("omnisql.")) {
                    throw new QueryException(ErrorCode.BAD_REQUEST, "unrecognized configuration parameter \"" + name
                            + "\" (OmniSQL has " + MAX_STALENESS + ", " + TIMEOUT + ", " + ALLOW_STALE + ")");
                }
            }
        }
        put(names.getOrDefault(key, name), v);
        return names.get(key);
    }

    void reset(String name, String serverVersion) {
        String key = name.toLowerCase(Locale.ROOT);
        String d = defaults(serverVersion).entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(key))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (d == null) {
            values.remove(key);
        } else {
            values.put(key, d);
        }
    }

    /** The value, or null when unknown. */
    String get(String name) {
        return values.get(name.toLowerCase(Locale.ROOT));
    }

    String canonical(String name) {
        return names.getOrDefault(name.toLowerCase(Locale.ROOT), name);
    }

    Map<String, String> all() {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(names.getOrDefault(k, k), v));
        return out;
    }

    Long maxStalenessMs() {
        return longOrNull(get(MAX_STALENESS));
    }

    Long timeoutMs() {
        return longOrNull(get(TIMEOUT));
    }

    boolean allowStale() {
        return "on".equals(get(ALLOW_STALE));
    }

    ZoneId zone() {
        return zoneOf(get("TimeZone"));
    }

    private static Long longOrNull(String v) {
        return v == null || v.isEmpty() ? null : Long.parseLong(v);
    }

    static ZoneId zoneOf(String value) {
        try {
            return ZoneId.of(value.equalsIgnoreCase("utc") || value.equalsIgnoreCase("gmt") ? "UTC" : value);
        } catch (DateTimeException e) {
            throw invalid("invalid value for parameter \"TimeZone\": \"" + value + "\"");
        }
    }

    private static String whole(String name, String value, long min) {
        try {
            long v = Long.parseLong(value.strip());
            if (v < min) {
                throw invalid(name + " must be >= " + min);
            }
            return Long.toString(v);
        } catch (NumberFormatException e) {
            throw invalid(name + " must be a whole number of milliseconds, not \"" + value + "\"");
        }
    }

    private static boolean bool(String name, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1", "t" -> true;
            case "off", "false", "no", "0", "f" -> false;
            default -> throw invalid(name + " must be on or off, not \"" + value + "\"");
        };
    }

    private static QueryException invalid(String message) {
        return new QueryException(ErrorCode.BAD_REQUEST, message);
    }
}
