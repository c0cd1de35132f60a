package io.omnisql.observe;

import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReadinessTest {
    @Test
    void aFailingRequiredCheckIsDownAndAFailingDegradableOneIsDegradedThrowingCountsAsFailing() {
        Readiness r = new Readiness();
        r.register("engine", () -> true);
        r.register("config", () -> {
            throw new IllegalStateException("broken");
        });
        r.registerDegradable("redis", () -> false);
        r.registerDegradable("other", () -> {
            throw new IllegalStateException("broken");
        });
        assertThat(r.check()).containsExactly(Map.entry("config", Readiness.State.DOWN),
                Map.entry("engine", Readiness.State.UP), Map.entry("other", Readiness.State.DEGRADED),
                Map.entry("redis", Readiness.State.DEGRADED));
    }

    @Test
    void reRegisteringANameReplacesItsCheckAndItsKind() {
        Readiness r = new Readiness();
        r.register("redis", () -> false);
        r.registerDegradable("redis", () -> false);
        assertThat(r.check()).containsExactly(Map.entry("redis", Readiness.State.DEGRADED));
    }
}
