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
    private static final Set<String> ROOT_KEYS = Set.of("gateway", "sources");
    private static final Set<String> GATEWAY_KEYS = Set.of("default", "overrides", "max_tracked_principals");
    private static final Set<String> BUCKET_KEYS = Set.of("burst", "refill_per_second");
    private static final Set<String> OVERRIDE_KEYS = Set.of("role", "team", "burst", "refill_per_second");
    private static final Set<String> SOURCE_KEYS = Set.of("burst", "refill_per_second", "max_concurrency");

    private SettingsParser() {
    }

    static RateLimitSettings parse(Section root) throws ConfigException {
        root.allowOnly(ROOT_KEYS);
        Section gateway = root.section("gateway", true);
        gateway.allowOnly(GATEWAY_KEYS);
        Section defaults = gateway.section("default", true);
        defaults.allowOnly(BUCKET_KEYS);
        BucketSpec gatewayDefault = bucket(defaults);
        List<GatewayOverride> overrides = new ArrayList<>();
        for (Section item : gateway.list("overrides")) {
            item.allowOnly(OVERRIDE_KEYS);
            boolean hasRole = item.has("role");
            if (hasRole == item.has("team")) {
                throw item.error(null, "must have exactly one of role or team");
            }
            String key = hasRole ? "role" : "team";
            String value = item.string(key, null);
            if (value.isBlank()) {
                throw item.error(key, "must be a non-empty string");
            }
            BucketSpec bucket = bucket(item);
            overrides.add(hasRole ? GatewayOverride.forRole(value, bucket) : GatewayOverride.forTeam(value, bucket));
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
        return new RateLimitSettings(gatewayDefault, overrides, maxTracked, sourceDefault, named);
    }

    private static SourceLimit sourceLimit(Section s) throws ConfigException {
        s.allowOnly(SOURCE_KEYS);
        BucketSpec bucket = bucket(s);
        if (!s.has("max_concurrency")) {
            throw s.error("max_concurrency", "is required");
        }
        return new SourceLimit(bucket, (int) positive(s, "max_concurrency", Integer.MAX_VALUE));
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
}
