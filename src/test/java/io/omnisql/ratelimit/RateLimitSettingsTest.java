package io.omnisql.ratelimit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.omnisql.ratelimit.Fixtures.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RateLimitSettingsTest {
    private static final String VALID_SOURCES = """
            sources:
              default: {burst: 100, refill_per_second: 50, max_concurrency: 8}
            """;

    @Test
    void theShippedFileParsesToTheDocumentedDefaults() throws IOException {
        RateLimitSettings settings = RateLimitSettings.fromYaml(Files.readString(Path.of("ratelimits.yaml")));

        assertThat(settings.gatewayDefault()).isEqualTo(new BucketSpec(50, 10));
        assertThat(settings.overrides()).containsExactly(
                new GatewayOverride("admin", null, new BucketSpec(200, 50), 16),
                GatewayOverride.forTeam("platform", new BucketSpec(100, 20)));
        assertThat(settings.maxTrackedPrincipals()).isEqualTo(100_000);
        assertThat(settings.maxRunningQueries()).isEqualTo(4);
        assertThat(settings.queries()).isEqualTo(QueryLimits.DEFAULTS);
        assertThat(settings.sourceDefault()).isEqualTo(new SourceLimit(new BucketSpec(200, 100), 8));
        assertThat(settings.sourceLimit("github")).isEqualTo(new SourceLimit(new BucketSpec(500, 250), 16));
        assertThat(settings.sourceLimit("jira")).isEqualTo(new SourceLimit(new BucketSpec(1000, 500), 16));
        assertThat(settings.sourceLimit("confluence")).isEqualTo(settings.sourceDefault());
    }

    @Test
    void runningCapsResolvePerPrincipalAndQueriesSectionIsRead() {
        RateLimitSettings settings = RateLimitSettings.fromYaml("""
                gateway:
                  default: {burst: 5, refill_per_second: 1, max_running_queries: 2}
                  overrides:
                    - {role: admin, burst: 9, refill_per_second: 1, max_running_queries: 10}
                    - {team: interns, burst: 9, refill_per_second: 1, max_running_queries: 1}
                    - {team: web, burst: 50, refill_per_second: 5}
                queries:
                  queue_wait_ms: 0
                  admin_role: ops
                  result_ttl_ms: 1000
                  short_lane: {slots: 3, budget_ms: 100, max_input_rows: 500}
                  long_lane: {slots: 1}
                """ + VALID_SOURCES);
        var analyst = new io.omnisql.identity.Principal("a", "web", java.util.Set.of("analyst"), java.util.Set.of(), java.util.Map.of());
        var intern = new io.omnisql.identity.Principal("i", "interns", java.util.Set.of(), java.util.Set.of(), java.util.Map.of());
        var internAdmin = new io.omnisql.identity.Principal("x", "interns", java.util.Set.of("admin"), java.util.Set.of(), java.util.Map.of());
        assertThat(settings.maxRunningFor(analyst)).as("an override without the key keeps the default").isEqualTo(2);
        assertThat(settings.maxRunningFor(intern)).as("overrides may restrict").isEqualTo(1);
        assertThat(settings.maxRunningFor(internAdmin)).as("the highest matching cap wins").isEqualTo(10);
        assertThat(settings.queries()).isEqualTo(new QueryLimits(0, "ops", 1000, 3, 100, 500, 1));
    }

    @Test
    void badRunningCapsAndLaneKeysAreRejectedWithTheirPath() {
        assertThatThrownBy(() -> RateLimitSettings.fromYaml("""
                gateway:
                  default: {burst: 5, refill_per_second: 1, max_running_queries: 0}
                """ + VALID_SOURCES)).hasMessageStartingWith("gateway.default.max_running_queries: must be a positive integer");
        assertThatThrownBy(() -> RateLimitSettings.fromYaml("""
                gateway:
                  default: {burst: 5, refill_per_second: 1}
                queries:
                  short_lane: {slots: 2, speed: 3}
                """ + VALID_SOURCES)).hasMessageStartingWith("queries.short_lane.speed: unknown key");
        assertThatThrownBy(() -> RateLimitSettings.fromYaml("""
                gateway:
                  default: {burst: 5, refill_per_second: 1}
                queries: {queue_wait_ms: -1}
                """ + VALID_SOURCES)).hasMessageStartingWith("queries.queue_wait_ms: must be a whole number >= 0");
    }

    @Test
    void fractionalRefillAndOptionalKeysAreAccepted() {
        RateLimitSettings settings = RateLimitSettings.fromYaml("""
                gateway:
                  default: {burst: 5, refill_per_second: 0.5}
                """ + VALID_SOURCES);
        assertThat(settings.gatewayDefault()).isEqualTo(new BucketSpec(5, 0.5));
        assertThat(settings.overrides()).isEmpty();
        assertThat(settings.maxTrackedPrincipals()).isEqualTo(RateLimitSettings.DEFAULT_MAX_TRACKED_PRINCIPALS);
        assertThat(settings.sources()).isEmpty();
    }

    @Test
    void theMostGenerousMatchingOverrideWinsByRateThenBurst() {
        RateLimitSettings settings = RateLimitSettings.fromYaml("""
                gateway:
                  default: {burst: 50, refill_per_second: 10}
                  overrides:
                    - {team: platform, burst: 500, refill_per_second: 20}
                    - {role: admin, burst: 200, refill_per_second: 50}
                    - {role: oncall, burst: 300, refill_per_second: 50}
                """ + VALID_SOURCES);
        assertThat(settings.gatewaySpecFor(member("a", "platform", "admin"))).isEqualTo(new BucketSpec(200, 50));
        assertThat(settings.gatewaySpecFor(member("b", "platform", "admin", "oncall")))
                .isEqualTo(new BucketSpec(300, 50));
        assertThat(settings.gatewaySpecFor(member("c", "platform"))).isEqualTo(new BucketSpec(500, 20));
        assertThat(settings.gatewaySpecFor(member("d", "sales"))).isEqualTo(new BucketSpec(50, 10));
    }

    @Test
    void errorsNameTheOffendingKeyPath() {
        assertInvalid("""
                gateway:
                  default: {burst: 0, refill_per_second: 10}
                """ + VALID_SOURCES, "gateway.default.burst: must be a positive integer");
        assertInvalid("""
                gateway:
                  default: {burst: 2.5, refill_per_second: 10}
                """ + VALID_SOURCES, "gateway.default.burst: must be a positive integer");
        assertInvalid("""
                gateway:
                  default: {burst: 50}
                """ + VALID_SOURCES, "gateway.default.refill_per_second: is required");
        assertInvalid("""
                gateway:
                  default: {burst: 50, refill_per_second: fast}
                """ + VALID_SOURCES, "gateway.default.refill_per_second: must be a positive number");
        assertInvalid("""
                gateway:
                  defualt: {burst: 50, refill_per_second: 10}
                """ + VALID_SOURCES, "gateway.defualt: unknown key");
        assertInvalid("""
                gateway:
                  default: {burst: 50, refill_per_second: 10}
                  overrides:
                    - {role: admin, team: platform, burst: 200, refill_per_second: 50}
                """ + VALID_SOURCES, "gateway.overrides[0]: must have exactly one of role or team");
        assertInvalid("""
                gateway:
                  default: {burst: 50, refill_per_second: 10}
                sources:
                  default: {burst: 100, refill_per_second: 50, max_concurrency: 8}
                  github: {burst: 100, refill_per_second: 50, max_concurrency: many}
                """, "sources.github.max_concurrency: must be a positive integer");
        assertInvalid("""
                gateway:
                  default: {burst: 50, refill_per_second: 10}
                sources:
                  github: {burst: 100, refill_per_second: 50, max_concurrency: 8}
                """, "sources.default: is required");
        assertInvalid("""
                gateway:
                  default: {burst: 1000000000, refill_per_second: 0.000001}
                """ + VALID_SOURCES, "gateway.default: burst / refill_per_second is too large");
        assertInvalid("sources: {}\n", "gateway: is required");
    }

    private static void assertInvalid(String yaml, String message) {
        assertThatThrownBy(() -> RateLimitSettings.fromYaml(yaml))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
