package io.omnisql.ratelimit;

import io.omnisql.identity.Principal;

/**
 * A gateway bucket for principals holding {@code role}, or belonging to {@code team}
 * (exactly one of the two is set).
 */
public record GatewayOverride(String role, String team, BucketSpec bucket) {
    public GatewayOverride {
        if ((role == null) == (team == null)) {
            throw new IllegalArgumentException("exactly one of role or team must be set");
        }
        if (bucket == null) {
            throw new IllegalArgumentException("bucket is required");
        }
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
