package io.omnisql.cluster;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@code cluster:} section of catalog.yaml: where the replicas of one fleet keep their shared state.
 * Every key is optional; without {@code redis} the gateway runs alone. The environment variables
 * {@code OMNISQL_REDIS_URL} and {@code OMNISQL_REPLICAS} override the file (a deployment sets them per
 * environment while the YAML stays the same on every replica).
 *
 * @param redis            {@code redis://[user:password@]host:port[/db]} (or {@code rediss://}); empty = no fleet
 * @param replicas         how many replicas share the limits: while Redis is unreachable each one enforces
 *                         the fleet's limits divided by this number
 * @param keyPrefix        prefix of every Redis key, so several fleets can share one Redis
 * @param commandTimeoutMs longest wait for one Redis answer before the replica decides alone
 * @param retryMs          after a failure, how long the replica decides alone before asking Redis again
 * @param pageTtlMs        how long a shared upstream page stays in Redis (queries still apply their own
 *                         {@code max_staleness_ms}); at least 1 s, so replicas waiting on a fetch find its page
 * @param maxPageBytes     largest compressed page body shared; larger pages are fetched by each replica
 */
public record ClusterSettings(String redis, int replicas, String keyPrefix, long commandTimeoutMs, long retryMs,
                              long pageTtlMs, long maxPageBytes) {
    public static final String REDIS_ENV = "OMNISQL_REDIS_URL";
    public static final String REPLICAS_ENV = "OMNISQL_REPLICAS";
    private static final Set<String> KEYS = Set.of("redis", "replicas", "key_prefix", "command_timeout_ms",
            "retry_ms", "page_ttl_ms", "max_page_bytes");

    public ClusterSettings {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas: must be a positive integer");
        }
    }

    public boolean enabled() {
        return !redis.isEmpty();
    }

    /** The URL with any password replaced by {@code ***}, for /health and logs. */
    public String redactedRedis() {
        return redis.replaceFirst("//([^@/]*):[^@/]*@", "//$1:***@");
    }

    /**
     * Parses the section (null or empty = defaults), then applies the environment overrides.
     *
     * @throws IllegalArgumentException naming the key, e.g. {@code replicas: must be a positive integer}
     */
    public static ClusterSettings fromMap(Map<String, Object> section, Function<String, String> env) {
        Map<String, Object> map = section == null ? Map.of() : section;
        for (String key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(key + ": unknown key (allowed: " + String.join(", ",
                        new TreeSet<>(KEYS)) + ")");
            }
        }
        String redis = text(map.get("redis"), "redis");
        String envRedis = env.apply(REDIS_ENV);
        if (envRedis != null && !envRedis.isBlank()) {
            redis = envRedis.trim();
        }
        if (!redis.isEmpty()) {
            validateUrl(redis);
        }
        long replicas = number(map.get("replicas"), "replicas", 1, 1, 1_000);
        String envReplicas = env.apply(REPLICAS_ENV);
        if (envReplicas != null && !envReplicas.isBlank()) {
            try {
                replicas = Long.parseLong(envReplicas.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("replicas: " + REPLICAS_ENV + " must be a positive integer");
            }
            if (replicas < 1 || replicas > 1_000) {
                throw new IllegalArgumentException("replicas: " + REPLICAS_ENV + " must be between 1 and 1000");
            }
        }
        String prefix = map.containsKey("key_prefix") ? text(map.get("key_prefix"), "key_prefix") : "omnisql";
        if (!prefix.matches("[A-Za-z0-9_.:-]{1,64}")) {
            throw new IllegalArgumentException("key_prefix: 1 to 64 letters, digits or _ . : -");
        }
        return new ClusterSettings(redis, (int) replicas, prefix,
                number(map.get("command_timeout_ms"), "command_timeout_ms", 250, 1, 60_000),
                number(map.get("retry_ms"), "retry_ms", 1_000, 1, 600_000),
                number(map.get("page_ttl_ms"), "page_ttl_ms", 60_000, 1_000, 86_400_000),
                number(map.get("max_page_bytes"), "max_page_bytes", 1 << 20, 0, 64L << 20));
    }

    private static void validateUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("redis: not a URL: " + e.getMessage());
        }
        if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("redis: must be redis://host:port or rediss://host:port");
        }
    }

    private static String text(Object node, String key) {
        if (node == null) {
            return "";
        }
        if (!(node instanceof String s)) {
            throw new IllegalArgumentException(key + ": must be a string");
        }
        return s.trim();
    }

    private static long number(Object node, String key, long fallback, long min, long max) {
        if (node == null) {
            return fallback;
        }
        if (!(node instanceof Integer || node instanceof Long) || ((Number) node).longValue() < min
                || ((Number) node).longValue() > max) {
            throw new IllegalArgumentException(key + ": must be an integer from " + min + " to " + max);
        }
        return ((Number) node).longValue();
    }
}
