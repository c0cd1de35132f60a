package io.omnisql.ratelimit;

import io.omnisql.config.ConfigException;
import io.omnisql.config.Section;
import io.omnisql.config.YamlTree;
import io.omnisql.identity.Principal;

import java.util.List;
import java.util.Map;

/**
 * The validated content of {@code ratelimits.yaml}.
 *
 * @param gatewayDefault         bucket of a principal that no override matches
 * @param overrides              role/team buckets; of those matching a principal the most
 *                               generous ({@link BucketSpec#GENEROSITY}) wins, even when it is
 *                               stricter than the default
 * @param maxTrackedPrincipals   hard cap on remembered principal buckets
 * @param sourceDefault          limit of a source without its own entry
 * @param sources                per-source limits, keyed by catalog source name
 * @param maxRunningQueries      queries a principal that no override caps may run at once
 * @param queries                queueing, async retention and execution lanes
 */
public record RateLimitSettings(BucketSpec gatewayDefault, List<GatewayOverride> overrides,
                                long maxTrackedPrincipals, SourceLimit sourceDefault,
                                Map<String, SourceLimit> sources, int maxRunningQueries, QueryLimits queries) {
    private static final String FILE = "ratelimits.yaml";

    /** Used when {@code gateway.max_tracked_principals} is absent. */
    public static final long DEFAULT_MAX_TRACKED_PRINCIPALS = 100_000;
    /** Used when {@code gateway.default.max_running_queries} is absent. */
    public static final int DEFAULT_MAX_RUNNING_QUERIES = 4;

    public RateLimitSettings(BucketSpec gatewayDefault, List<GatewayOverride> overrides, long maxTrackedPrincipals,
                             SourceLimit sourceDefault, Map<String, SourceLimit> sources) {
        this(gatewayDefault, overrides, maxTrackedPrincipals, sourceDefault, sources, DEFAULT_MAX_RUNNING_QUERIES,
                QueryLimits.DEFAULTS);
    }

    public RateLimitSettings {
        if (gatewayDefault == null || sourceDefault == null) {
            throw new IllegalArgumentException("gateway and source defaults are required");
        }
        if (maxTrackedPrincipals < 1) {
            throw new IllegalArgumentException("max_tracked_principals must be positive");
        }
        if (maxRunningQueries < 1) {
            throw new IllegalArgumentException("max_running_queries must be positive");
        }
        if (queries == null) {
            throw new IllegalArgumentException("queries limits are required");
        }
        overrides = List.copyOf(overrides);
        sources = Map.copyOf(sources);
    }

    /**
     * Validates a YAML root as snakeyaml loads it ({@code gateway:}, {@code sources:}), for settings built in code.
     *
     * @throws IllegalArgumentException naming the offending key path, e.g.
     *                                  {@code gateway.default.burst: must be a positive integer}
     */
    public static RateLimitSettings fromMap(Map<String, Object> yamlRoot) {
        try {
            return from(Section.of(FILE, "", yamlRoot));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.problem(), e);
        }
    }

    /** Parses and validates the text of a {@code ratelimits.yaml} file. */
    public static RateLimitSettings fromYaml(String yaml) {
        try {
            return from(Section.root(YamlTree.parse(FILE, yaml)));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.problem(), e);
        }
    }

    /** Reads ratelimits.yaml's document; every problem names file, line and key path. */
    public static RateLimitSettings from(Section root) throws ConfigException {
        return SettingsParser.parse(root);
    }

    /** The gateway bucket of {@code principal}: the most generous matching override, else the default. */
    public BucketSpec gatewaySpecFor(Principal principal) {
        BucketSpec best = null;
        for (GatewayOverride override : overrides) {
            if (override.matches(principal)
                    && (best == null || BucketSpec.GENEROSITY.compare(override.bucket(), best) > 0)) {
                best = override.bucket();
            }
        }
        return best != null ? best : gatewayDefault;
    }

    /**
     * Queries {@code principal} may run at once: the highest {@code max_running_queries} among matching
     * overrides that set one (so an override may also restrict), else the default.
     */
    public int maxRunningFor(Principal principal) {
        int best = 0;
        for (GatewayOverride override : overrides) {
            if (override.maxRunningQueries() != null && override.matches(principal)) {
                best = Math.max(best, override.maxRunningQueries());
            }
        }
        return best > 0 ? best : maxRunningQueries;
    }

    public SourceLimit sourceLimit(String source) {
        return sources.getOrDefault(source, sourceDefault);
    }
}
