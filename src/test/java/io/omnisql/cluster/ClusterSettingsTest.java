package io.omnisql.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code cluster:} section: defaults, environment overrides, and errors that name the key. */
class ClusterSettingsTest {
    @Test
    void withoutRedisTheGatewayRunsAlone() {
        ClusterSettings s = ClusterSettings.fromMap(null, name -> null);
        assertThat(s.enabled()).isFalse();
        assertThat(s.replicas()).isEqualTo(1);
        assertThat(Cluster.join(s)).isEmpty();
    }

    @Test
    void theEnvironmentOverridesTheFileSoEveryReplicaReadsTheSameYaml() {
        Map<String, String> env = Map.of(ClusterSettings.REDIS_ENV, "redis://10.0.0.5:6380",
                ClusterSettings.REPLICAS_ENV, "3");
        ClusterSettings s = ClusterSettings.fromMap(Map.of("redis", "redis://127.0.0.1:6379", "replicas", 2), env::get);
        assertThat(s.redis()).isEqualTo("redis://10.0.0.5:6380");
        assertThat(s.replicas()).isEqualTo(3);
        assertThat(s.pageTtlMs()).isEqualTo(60_000);
        assertThat(s.commandTimeoutMs()).isEqualTo(250);
    }

    @Test
    void aPasswordNeverLeavesTheProcess() {
        ClusterSettings s = ClusterSettings.fromMap(Map.of("redis", "redis://omnisql:s3cret@cache:6379/2"), name -> null);
        assertThat(s.redactedRedis()).isEqualTo("redis://omnisql:***@cache:6379/2").doesNotContain("s3cret");
    }

    @Test
    void mistakesNameTheirKey() {
        assertThatThrownBy(() -> ClusterSettings.fromMap(Map.of("redis_url", "redis://x:1"), name -> null))
                .hasMessageStartingWith("redis_url: unknown key");
        assertThatThrownBy(() -> ClusterSettings.fromMap(Map.of("redis", "http://x:1"), name -> null))
                .hasMessageStartingWith("redis: must be redis://");
        assertThatThrownBy(() -> ClusterSettings.fromMap(Map.of("replicas", 0), name -> null))
                .hasMessageStartingWith("replicas: must be an integer from 1");
        assertThatThrownBy(() -> ClusterSettings.fromMap(Map.of("page_ttl_ms", 0), name -> null))
                .hasMessageStartingWith("page_ttl_ms: must be an integer from 1000");
        assertThatThrownBy(() -> ClusterSettings.fromMap(Map.of(), Map.of(ClusterSettings.REPLICAS_ENV, "two")::get))
                .hasMessageContaining(ClusterSettings.REPLICAS_ENV);
    }
}
