package io.omnisql.ratelimit;

import io.omnisql.identity.Principal;

/**
 * A gateway bucket for principals holding {@code role}, or belonging to {@code team}
 * (exactly one of the two is set), and optionally their cap on queries running at once (null: not set here).
 */
public record GatewayOverride(String role, String team, BucketSpec bucket, Integer maxRunningQueries) {
    public GatewayOverride(String role, String team, BucketSpec bucket) {
        this(role, team, bucket, null);
    }

    public GatewayOverride {
        if ((role == null) == (team == null)) {
            throw new IllegalArgumentException("exactly one of role or team must be set");
        }
        if (bucket == null) {
            throw new IllegalArgumentException("bucket is required");
        }
        if (maxRunningQueries != null && maxRunningQueries < 1) {
            throw new IllegalArgumentException("max_running_queries must be a positive integer");
        }
    }

    GatewayOverride withMaxRunning(Integer cap) {
        return new GatewayOverride(role, team, bucket, cap);
    }

    public static GatewayOverride forRole(String role, BucketSpec bucket) {
        return new GatewayOverride(role, null, bucket);
    }

    public static GatewayOverride forTeam(String team, BucketSpec bucket) {
        return new GatewayOverride(null, team, bucket);
    }

    boolean matches(Principal principal) {
        return role != null ? principal.hasRole(role) : team.equals(principal.team());
    }
}
