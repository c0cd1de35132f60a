package io.omnisql.ratelimit;

import io.omnisql.identity.Principal;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Settings and principals shared by the rate limiter tests. */
final class Fixtures {
    static final SourceLimit SOURCE_DEFAULT = new SourceLimit(new BucketSpec(100, 50), 8);

    private Fixtures() {
    }

    static RateLimitSettings gateway(BucketSpec gatewayDefault, GatewayOverride... overrides) {
        return new RateLimitSettings(gatewayDefault, List.of(overrides), 100_000, SOURCE_DEFAULT, Map.of());
    }

    static RateLimitSettings sources(Map<String, SourceLimit> sources) {
        return new RateLimitSettings(new BucketSpec(50, 10), List.of(), 100_000, SOURCE_DEFAULT, sources);
    }

    static Principal user(String subject) {
        return new Principal(subject, "analytics", Set.of("analyst"), Set.of(), Map.of());
    }

    static Principal member(String subject, String team, String... roles) {
        return new Principal(subject, team, Set.of(roles), Set.of(), Map.of());
    }
}
