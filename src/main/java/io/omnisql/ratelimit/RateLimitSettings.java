package io.omnisql.ratelimit;

import io.omnisql.identity.Principal;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

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
     * Validates the parsed YAML root ({@code gateway:}, {@code sources:}).
     *
     * @throws IllegalArgumentException naming the offending key path, e.g.
     *                                  {@code gateway.default.burst: must be a positive integer}
     */
    public static RateLimitSettings fromMap(Map<String, Object> yamlRoot) {
        return SettingsParser.parse(yamlRoot);
    }

    /** Parses and validates the text of a {@code ratelimits.yaml} file. */
    public static RateLimitSettings fromYaml(String yaml) {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("(root): must be a mapping with gateway and sources");
        }
        @SuppressWarnings("unchecked") Map<String, Object> typed = (Map<String, Object>) map;
        return fromMap(typed);
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
