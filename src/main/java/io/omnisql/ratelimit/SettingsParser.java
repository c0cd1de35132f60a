package io.omnisql.ratelimit;

import io.omnisql.config.ConfigException;
import io.omnisql.config.Section;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads {@code ratelimits.yaml} with the config section reader; every error names file, line and key path. */
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

    static RateLimitSettings parse(Section root) throws ConfigException {
        root.allowOnly(ROOT_KEYS);
        Section gateway = root.section("gateway", true);
        gateway.allowOnly(GATEWAY_KEYS);
        Section defaults = gateway.section("default", true);
        defaults.allowOnly(DEFAULT_KEYS);
        BucketSpec gatewayDefault = bucket(defaults);
        Integer maxRunning = maxRunning(defaults);
        List<GatewayOverride> overrides = new ArrayList<>();
        for (Section item : gateway.list("overrides")) {
            item.allowOnly(OVERRIDE_KEYS);
            boolean hasRole = item.has("role");
            if (hasRole == item.has("team")) {
                throw item.error(null, "must have exactly one of role or team");
            }
            String key = hasRole ? "role" : "team";
            String value = text(item, key);
            BucketSpec bucket = bucket(item);
            GatewayOverride override = hasRole ? GatewayOverride.forRole(value, bucket) : GatewayOverride.forTeam(value, bucket);
            overrides.add(override.withMaxRunning(maxRunning(item)));
        }
        long maxTracked = gateway.has("max_tracked_principals") ? positive(gateway, "max_tracked_principals", Long.MAX_VALUE)
                : RateLimitSettings.DEFAULT_MAX_TRACKED_PRINCIPALS;

        Section sources = root.section("sources", true);
        if (!sources.has("default")) {
            throw sources.error("default", "is required");
        }
        SourceLimit sourceDefault = sourceLimit(sources.section("default", true));
        Map<String, SourceLimit> named = new LinkedHashMap<>();
        for (Map.Entry<String, Section> entry : root.sections("sources").entrySet()) {
            if (!entry.getKey().equals("default")) {
                named.put(entry.getKey(), sourceLimit(entry.getValue()));
            }
        }
        return new RateLimitSettings(gatewayDefault, overrides, maxTracked, sourceDefault, named,
                maxRunning != null ? maxRunning : RateLimitSettings.DEFAULT_MAX_RUNNING_QUERIES,
                queries(root.section("queries", false)));
    }

    private static QueryLimits queries(Section q) throws ConfigException {
        QueryLimits d = QueryLimits.DEFAULTS;
        q.allowOnly(QUERIES_KEYS);
        Section shortLane = q.section("short_lane", false);
        shortLane.allowOnly(SHORT_LANE_KEYS);
        Section longLane = q.section("long_lane", false);
        longLane.allowOnly(LONG_LANE_KEYS);
        return new QueryLimits(
                q.has("queue_wait_ms") ? wholeLong(q, "queue_wait_ms") : d.queueWaitMs(),
                q.has("admin_role") ? text(q, "admin_role") : d.adminRole(),
                optionalPositive(q, "result_ttl_ms", d.resultTtlMs()),
                (int) Math.min(optionalPositive(shortLane, "slots", d.shortSlots()), 1024),
                optionalPositive(shortLane, "budget_ms", d.shortBudgetMs()),
                optionalPositive(shortLane, "max_input_rows", d.shortMaxInputRows()),
                (int) Math.min(optionalPositive(longLane, "slots", d.longSlots()), 1024));
    }

    private static long optionalPositive(Section s, String key, long fallback) throws ConfigException {
        return s.has(key) ? positive(s, key, Long.MAX_VALUE) : fallback;
    }

    private static long wholeLong(Section s, String key) throws ConfigException {
        Object v = s.raw().get(key);
        if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= 0) {
            return ((Number) v).longValue();
        }
        throw s.error(key, "must be a whole number >= 0");
    }

    private static Integer maxRunning(Section s) throws ConfigException {
        return s.has("max_running_queries") ? (int) positive(s, "max_running_queries", 100_000) : null;
    }

    private static SourceLimit sourceLimit(Section s) throws ConfigException {
        s.allowOnly(SOURCE_KEYS);
        BucketSpec bucket = bucket(s);
        if (!s.has("max_concurrency")) {
            throw s.error("max_concurrency", "is required");
        }
        int maxConcurrency = (int) positive(s, "max_concurrency", Integer.MAX_VALUE);
        BucketSpec perPrincipal = null;
        if (s.has("per_principal")) {
            Section p = s.section("per_principal", true);
            p.allowOnly(BUCKET_KEYS);
            perPrincipal = bucket(p);
        }
        return new SourceLimit(bucket, maxConcurrency, perPrincipal);
    }

    private static BucketSpec bucket(Section s) throws ConfigException {
        if (!s.has("burst")) {
            throw s.error("burst", "is required");
        }
        long burst = positive(s, "burst", Long.MAX_VALUE);
        if (!s.has("refill_per_second")) {
            throw s.error("refill_per_second", "is required");
        }
        if (!(s.raw().get("refill_per_second") instanceof Number rate) || !(rate.doubleValue() > 0)
                || !Double.isFinite(rate.doubleValue())) {
            throw s.error("refill_per_second", "must be a positive number");
        }
        try {
            return new BucketSpec(burst, rate.doubleValue());
        } catch (IllegalArgumentException e) {
            throw s.error(null, e.getMessage());
        }
    }

    private static long positive(Section s, String key, long max) throws ConfigException {
        Object v = s.raw().get(key);
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() <= 0) {
            throw s.error(key, "must be a positive integer");
        }
        if (((Number) v).longValue() > max) {
            throw s.error(key, "must be at most " + max);
        }
        return ((Number) v).longValue();
    }

    private static String text(Section s, String key) throws ConfigException {
        if (s.raw().get(key) instanceof String v && !v.isBlank()) {
            return v;
        }
        throw s.error(key, "must be a non-empty string");
    }
}
