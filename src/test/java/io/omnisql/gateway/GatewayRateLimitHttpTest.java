package io.omnisql.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.omnisql.GatewayHarness;
import io.omnisql.GatewayHarness.Response;
import io.omnisql.ratelimit.RateLimiter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Gateway buckets per principal, through HTTP with the real clock. */
class GatewayRateLimitHttpTest {
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        // The shipped burst of 50, but one token per 20 s, so no refill lands during the rapid run;
        // team "tiny" refills one token per second to prove Retry-After without a long wait.
        gw = GatewayHarness.start((file, text) -> file.equals("ratelimits.yaml")
                ? text.replace("default: {burst: 50, refill_per_second: 10}", "default: {burst: 50, refill_per_second: 0.05}")
                        .replace("- {team: platform, burst: 100, refill_per_second: 20}",
                                "- {team: platform, burst: 100, refill_per_second: 20}\n    - {team: tiny, burst: 5, refill_per_second: 1}")
                : text);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void fiftyRapidRequestsPassAndTheFiftyFirstIsRefusedWithRetryAfter() {
        String token = gw.token("rapid", "mobile", "analyst", "");
        for (int i = 1; i <= 50; i++) {
            Response ok = gw.query(token, "SELECT " + i);
            assertThat(ok.status()).as("request %d: %s", i, ok.text()).isEqualTo(200);
        }
        Response refused = gw.query(token, "SELECT 51");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.errorCode()).isEqualTo("RATE_LIMIT_EXHAUSTED");
        long retryAfterMs = refused.body().at("/error/retry_after_ms").asLong();
        assertThat(retryAfterMs).isBetween(1L, 20_000L);
        assertThat(refused.header("Retry-After")).isEqualTo(String.valueOf(RateLimiter.retryAfterSeconds(retryAfterMs)));
        assertThat(refused.body().at("/error/trace_id").asText()).matches("[0-9a-f]{32}");
        // Explain draws from the same bucket.
        assertThat(gw.post("/v1/explain", token, "{\"sql\":\"SELECT key FROM jira.issues\"}").errorCode())
                .isEqualTo("RATE_LIMIT_EXHAUSTED");
    }

    @Test
    void retryingAfterRetryAfterSucceeds() throws InterruptedException {
        String token = gw.token("retrier", "tiny", "analyst", "");
        Response refused = untilRefused(token);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        Thread.sleep(Long.parseLong(refused.header("Retry-After")) * 1000);
        Response retried = gw.query(token, "SELECT 1");
        assertThat(retried.status()).as(retried.text()).isEqualTo(200);
    }

    /** Spends the bucket (5 tokens, refilling while we go) until a request is refused. */
    private static Response untilRefused(String token) {
        for (int i = 0; i < 100; i++) {
            Response r = gw.query(token, "SELECT 1");
            if (r.status() != 200) {
                assertThat(r.status()).isEqualTo(429);
                assertThat(i).isGreaterThanOrEqualTo(5);
                return r;
            }
        }
        throw new AssertionError("never refused");
    }

    @Test
    void bucketsArePerPrincipal() {
        untilRefused(gw.token("greedy", "tiny", "analyst", ""));
        assertThat(gw.query(gw.token("other", "tiny", "analyst", ""), "SELECT 1").status()).isEqualTo(200);
    }

    @Test
    void healthIsNeverRateLimited() {
        untilRefused(gw.token("prober", "tiny", "analyst", ""));
        for (int i = 0; i < 20; i++) {
            assertThat(gw.get("/health", null).status()).isEqualTo(200);
        }
    }
}
