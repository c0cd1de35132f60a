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
 */
public record RateLimitSettings(BucketSpec gatewayDefault, List<GatewayOverride> overrides,
                                long maxTrackedPrincipals, SourceLimit sourceDefault,
                                Map<String, SourceLimit> sources) {
    private static final String FILE = "ratelimits.yaml";

    /** Used when {@code gateway.max_tracked_principals} is absent. */
    public static final long DEFAULT_MAX_TRACKED_PRINCIPALS = 100_000;

    public RateLimitSettings {
        if (gatewayDefault == null || sourceDefault == null) {
            throw new IllegalArgumentException("gateway and source defaults are required");
        }
        if (maxTrackedPrincipals < 1) {
            throw new IllegalArgumentException("max_tracked_principals must be positive");
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

    public SourceLimit sourceLimit(String source) {
        return sources.getOrDefault(source, sourceDefault);
    }
}
