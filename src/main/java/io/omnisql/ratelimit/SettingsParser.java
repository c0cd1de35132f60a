package io.omnisql.ratelimit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns the YAML tree of {@code ratelimits.yaml} into settings; every error names its key path. */
final class SettingsParser {
    private static final Set<String> ROOT_KEYS = Set.of("gateway", "sources", "queries");
    private static final Set<String> GATEWAY_KEYS = Set.of("default", "overrides", "max_tracked_principals");
    private static final Set<String> BUCKET_KEYS = Set.of("burst", "refill_per_second");
    private static final Set<String> DEFAULT_KEYS = Set.of("burst", "refill_per_second", "max_running_queries");
    private static final Set<String> OVERRIDE_KEYS = Set.of("role", "team", "burst", "refill_per_second",
            "max_running_queries");
    private static final Set<String> SOURCE_KEYS = Set.of("burst", "refill_per_second", "max_concurrency", "per_principal");
    private static final Set<String> QUERIES_KEYS = Set.of("queue_wait_ms", "admin_role", "result_ttl_ms",
            "short_lane", "long_lane");
    private static final Set<String> SHORT_LANE_KEYS = Set.of("slots", "budget_ms", "max_input_rows");
    private static final Set<String> LONG_LANE_KEYS = Set.of("slots");

    private SettingsParser() {
    }

    static RateLimitSettings parse(Map<String, Object> root) {
        Map<?, ?> top = mapping(root, "(root)", ROOT_KEYS);
        Map<?, ?> gateway = mapping(required(top, "gateway", "gateway"), "gateway", GATEWAY_KEYS);
        Map<?, ?> defaults = mapping(required(gateway, "default", "gateway.default"), "gateway.default", DEFAULT_KEYS);
        BucketSpec gatewayDefault = bucket(defaults, "gateway.default");
        Integer maxRunning = maxRunning(defaults, "gateway.default");
        List<GatewayOverride> overrides = overrides(gateway.get("overrides"));
        long maxTracked = gateway.containsKey("max_tracked_principals")
                ? positiveLong(gateway.get("max_tracked_principals"), "gateway.max_tracked_principals")
                : RateLimitSettings.DEFAULT_MAX_TRACKED_PRINCIPALS;

        Map<?, ?> sources = mapping(required(top, "sources", "sources"), "sources", null);
        SourceLimit sourceDefault = sourceLimit(required(sources, "default", "sources.default"), "sources.default");
        Map<String, SourceLimit> named = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : sources.entrySet()) {
            String name = String.valueOf(entry.getKey());
            if (!name.equals("default")) {
                named.put(name, sourceLimit(entry.getValue(), "sources." + name));
            }
        }
        return new RateLimitSettings(gatewayDefault, overrides, maxTracked, sourceDefault, named,
                maxRunning != null ? maxRunning : RateLimitSettings.DEFAULT_MAX_RUNNING_QUERIES, queries(top.get("queries")));
    }

    private static QueryLimits queries(Object node) {
        if (node == null) {
            return QueryLimits.DEFAULTS;
        }
        QueryLimits d = QueryLimits.DEFAULTS;
        Map<?, ?> q = mapping(node, "queries", QUERIES_KEYS);
        Map<?, ?> shortLane = q.containsKey("short_lane") ? mapping(q.get("short_lane"), "queries.short_lane", SHORT_LANE_KEYS) : Map.of();
        Map<?, ?> longLane = q.containsKey("long_lane") ? mapping(q.get("long_lane"), "queries.long_lane", LONG_LANE_KEYS) : Map.of();
        return new QueryLimits(
                q.containsKey("queue_wait_ms") ? wholeLong(q.get("queue_wait_ms"), "queries.queue_wait_ms") : d.queueWaitMs(),
                q.containsKey("admin_role") ? text(q.get("admin_role"), "queries.admin_role") : d.adminRole(),
                optionalPositive(q, "result_ttl_ms", "queries", d.resultTtlMs()),
                (int) Math.min(optionalPositive(shortLane, "slots", "queries.short_lane", d.shortSlots()), 1024),
                optionalPositive(shortLane, "budget_ms", "queries.short_lane", d.shortBudgetMs()),
                optionalPositive(shortLane, "max_input_rows", "queries.short_lane", d.shortMaxInputRows()),
                (int) Math.min(optionalPositive(longLane, "slots", "queries.long_lane", d.longSlots()), 1024));
    }

    private static long optionalPositive(Map<?, ?> map, String key, String path, long fallback) {
        return map.containsKey(key) ? positiveLong(map.get(key), path + "." + key) : fallback;
    }

    private static long wholeLong(Object node, String path) {
        if ((node instanceof Integer || node instanceof Long) && ((Number) node).longValue() >= 0) {
            return ((Number) node).longValue();
        }
        throw invalid(path, "must be a whole number >= 0");
    }

    private static Integer maxRunning(Map<?, ?> map, String path) {
        if (!map.containsKey("max_running_queries")) {
            return null;
        }
        long cap = positiveLong(map.get("max_running_queries"), path + ".max_running_queries");
        if (cap > 100_000) {
            throw invalid(path + ".max_running_queries", "must be at most 100000");
        }
        return (int) cap;
    }

    private static List<GatewayOverride> overrides(Object node) {
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof List<?> list)) {
            throw invalid("gateway.overrides", "must be a list of {role|team, burst, refill_per_second[, max_running_queries]}");
        }
        List<GatewayOverride> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "gateway.overrides[" + i + "]";
            Map<?, ?> item = mapping(list.get(i), path, OVERRIDE_KEYS);
            boolean hasRole = item.containsKey("role");
            if (hasRole == item.containsKey("team")) {
                throw invalid(path, "must have exactly one of role or team");
            }
            String key = hasRole ? "role" : "team";
            String value = text(item.get(key), path + "." + key);
            BucketSpec bucket = bucket(item, path);
            GatewayOverride override = hasRole ? GatewayOverride.forRole(value, bucket) : GatewayOverride.forTeam(value, bucket);
            result.add(override.withMaxRunning(maxRunning(item, path)));
        }
        return result;
    }

    private static SourceLimit sourceLimit(Object node, String path) {
        Map<?, ?> map = mapping(node, path, SOURCE_KEYS);
        BucketSpec bucket = bucket(map, path);
        long maxConcurrency = positiveLong(required(map, "max_concurrency", path + ".max_concurrency"),
                path + ".max_concurrency");
        if (maxConcurrency > Integer.MAX_VALUE) {
            throw invalid(path + ".max_concurrency", "must be at most " + Integer.MAX_VALUE);
        }
        BucketSpec perPrincipal = map.containsKey("per_principal")
                ? bucket(mapping(map.get("per_principal"), path + ".per_principal", BUCKET_KEYS), path + ".per_principal")
                : null;
        return new SourceLimit(bucket, (int) maxConcurrency, perPrincipal);
    }

    private static BucketSpec bucket(Map<?, ?> map, String path) {
        long burst = positiveLong(required(map, "burst", path + ".burst"), path + ".burst");
        Object rateNode = required(map, "refill_per_second", path + ".refill_per_second");
        if (!(rateNode instanceof Number rate) || !(rate.doubleValue() > 0)) {
            throw invalid(path + ".refill_per_second", "must be a positive number");
        }
        try {
            return new BucketSpec(burst, rate.doubleValue());
        } catch (IllegalArgumentException e) {
            throw invalid(path, e.getMessage());
        }
    }

    private static Map<?, ?> mapping(Object node, String path, Set<String> allowedKeys) {
        if (!(node instanceof Map<?, ?> map)) {
            throw invalid(path, "must be a mapping");
        }
        if (allowedKeys != null) {
            for (Object key : map.keySet()) {
                if (!allowedKeys.contains(String.valueOf(key))) {
                    String prefix = path.equals("(root)") ? "" : path + ".";
                    throw invalid(prefix + key, "unknown key (allowed: " + String.join(", ",
                            allowedKeys.stream().sorted().toList()) + ")");
                }
            }
        }
        return map;
    }

    private static Object required(Map<?, ?> map, String key, String path) {
        Object value = map.get(key);
        if (value == null) {
            throw invalid(path, "is required");
        }
        return value;
    }

    private static long positiveLong(Object node, String path) {
        if ((node instanceof Integer || node instanceof Long) && ((Number) node).longValue() > 0) {
            return ((Number) node).longValue();
        }
        throw invalid(path, "must be a positive integer");
    }

    private static String text(Object node, String path) {
        if (node instanceof String s && !s.isBlank()) {
            return s;
        }
        throw invalid(path, "must be a non-empty string");
    }

    private static IllegalArgumentException invalid(String path, String problem) {
        return new IllegalArgumentException(path + ": " + problem);
    }
}
