package io.omnisql.ratelimit;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.omnisql.ratelimit.Fixtures.gateway;
import static io.omnisql.ratelimit.Fixtures.member;
import static io.omnisql.ratelimit.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class GatewayLimitTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void fiftyRapidRequestsPassAndTheFiftyFirstIsRefusedUntilRefill() {
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(50, 10)), clock);
        Principal alice = user("alice");
        for (int i = 0; i < 50; i++) {
            limiter.acquireGateway(alice);
        }

        QueryException refusal = catchThrowableOfType(QueryException.class, () -> limiter.acquireGateway(alice));
        assertThat(refusal.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXHAUSTED);
        assertThat(refusal.details()).isEqualTo(Map.of("retry_after_ms", 100L));
        assertThat(refusal.getMessage()).contains("alice");

        clock.advance(Duration.ofMillis(100));
        limiter.acquireGateway(alice);
        assertThat(limiter.stats().gatewayRefusals()).isEqualTo(1);
    }

    @Test
    void refillIsExactAndCappedAtBurst() {
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(50, 10)), clock);
        Principal alice = user("alice");
        drain(limiter, alice);

        clock.advanceNanos(999_999_999);
        assertThat(limiter.gatewayTokens(alice)).isEqualTo(9);
        clock.advanceNanos(1);
        assertThat(limiter.gatewayTokens(alice)).isEqualTo(10);

        clock.advance(Duration.ofHours(1));
        assertThat(drain(limiter, alice)).isEqualTo(50);
    }

    @Test
    void retryAfterIsHonestToTheNanosecond() {
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(50, 10)), clock);
        Principal alice = user("alice");
        drain(limiter, alice);
        assertThat(retryAfterMs(limiter, alice)).isEqualTo(100);

        clock.advanceNanos(99_999_999);
        assertThatThrownBy(() -> limiter.acquireGateway(alice)).isInstanceOf(QueryException.class);
        clock.advanceNanos(1);
        limiter.acquireGateway(alice);
    }

    @Test
    void retryAfterRoundsUpSoRetryingAtTheAdvertisedTimeSucceeds() {
        // 3 tokens/s: one token every 333.333333 ms, advertised as 334 ms and a 1 s header.
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(1, 3)), clock);
        Principal alice = user("alice");
        limiter.acquireGateway(alice);
        long retryAfterMs = retryAfterMs(limiter, alice);
        assertThat(retryAfterMs).isEqualTo(334);

        clock.advance(Duration.ofMillis(retryAfterMs - 1));
        assertThatThrownBy(() -> limiter.acquireGateway(alice)).isInstanceOf(QueryException.class);
        clock.advance(Duration.ofMillis(1));
        limiter.acquireGateway(alice);
    }

    @Test
    void retryAfterHeaderSecondsAreHonest() {
        // 0.4 tokens/s: the next token is 2.5 s away, so the header says 3.
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(2, 0.4)), clock);
        Principal alice = user("alice");
        drain(limiter, alice);
        long retryAfterMs = retryAfterMs(limiter, alice);
        long headerSeconds = RateLimiter.retryAfterSeconds(retryAfterMs);
        assertThat(retryAfterMs).isEqualTo(2500);
        assertThat(headerSeconds).isEqualTo(3);

        clock.advanceNanos(2_500_000_000L - 1);
        assertThatThrownBy(() -> limiter.acquireGateway(alice)).isInstanceOf(QueryException.class);
        clock.advanceNanos(3_000_000_000L - (2_500_000_000L - 1));
        limiter.acquireGateway(alice);
    }

    @Test
    void retryAfterSecondsRoundUpAndNeverSayZero() {
        assertThat(RateLimiter.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(RateLimiter.retryAfterSeconds(1000)).isEqualTo(1);
        assertThat(RateLimiter.retryAfterSeconds(1001)).isEqualTo(2);
    }

    @Test
    void principalsHaveIndependentBuckets() {
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(50, 10)), clock);
        drain(limiter, user("alice"));
        assertThat(drain(limiter, user("bob"))).isEqualTo(50);
    }

    @Test
    void roleAndTeamOverridesApplyAndTheMostGenerousMatchWins() {
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(50, 10),
                GatewayOverride.forRole("admin", new BucketSpec(200, 50)),
                GatewayOverride.forTeam("platform", new BucketSpec(100, 20))), clock);

        assertThat(drain(limiter, member("ann", "analytics", "admin"))).isEqualTo(200);
        assertThat(drain(limiter, member("pat", "platform", "analyst"))).isEqualTo(100);
        assertThat(drain(limiter, member("pia", "platform", "admin"))).isEqualTo(200);
        assertThat(drain(limiter, member("dan", "analytics", "analyst"))).isEqualTo(50);
    }

    @Test
    void aStricterOverrideRestrictsItsMembers() {
        RateLimiter limiter = RateLimiter.create(
                gateway(new BucketSpec(50, 10), GatewayOverride.forTeam("interns", new BucketSpec(5, 1))), clock);
        Principal intern = member("ivy", "interns");
        assertThat(drain(limiter, intern)).isEqualTo(5);
        assertThat(retryAfterMs(limiter, intern)).isEqualTo(1000);
    }

    @Test
    void updateKeepsLevelsOfUnchangedBucketsAndCapsChangedOnesAtTheNewBurst() {
        BucketSpec standard = new BucketSpec(50, 10);
        RateLimiter limiter = RateLimiter.create(gateway(standard), clock);
        Principal alice = user("alice");
        Principal ann = member("ann", "analytics", "admin");
        take(limiter, alice, 30);
        take(limiter, ann, 45);

        // Adding an admin override leaves alice's bucket alone; ann's grows to burst 200 but
        // keeps her 5 tokens instead of starting full.
        limiter.update(gateway(standard, GatewayOverride.forRole("admin", new BucketSpec(200, 50))));
        assertThat(drain(limiter, alice)).isEqualTo(20);
        assertThat(drain(limiter, ann)).isEqualTo(5);

        // Shrinking the default caps a fuller bucket at the new burst.
        Principal bob = user("bob");
        take(limiter, bob, 10);
        limiter.update(gateway(new BucketSpec(25, 10)));
        assertThat(drain(limiter, bob)).isEqualTo(25);
        clock.advance(Duration.ofHours(1));
        assertThat(drain(limiter, bob)).isEqualTo(25);
    }

    @Test
    void anIdleBucketIsForgottenOnlyOnceItWouldBeFullAgain() {
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(50, 10)), clock);
        Principal alice = user("alice");
        drain(limiter, alice);

        clock.advanceNanos(5_000_000_000L - 1);
        limiter.cleanUp();
        assertThat(limiter.stats().trackedPrincipals()).isEqualTo(1);
        assertThat(limiter.gatewayTokens(alice)).isEqualTo(49);

        // Caffeine's timer wheel reaps expired entries within about a second of their expiry.
        clock.advance(Duration.ofSeconds(2));
        limiter.cleanUp();
        assertThat(limiter.stats().trackedPrincipals()).isZero();
        assertThat(drain(limiter, alice)).isEqualTo(50);
    }

    @Test
    void aMillionDistinctPrincipalsStayWithinTheTrackedBound() {
        RateLimitSettings settings = new RateLimitSettings(new BucketSpec(50, 10), List.of(), 10_000,
                Fixtures.SOURCE_DEFAULT, Map.of());
        RateLimiter limiter = RateLimiter.create(settings, clock);
        for (int i = 0; i < 1_000_000; i++) {
            limiter.acquireGateway(user("user-" + i));
        }
        limiter.cleanUp();
        assertThat(limiter.stats().trackedPrincipals()).isLessThanOrEqualTo(10_000);
    }

    private static void take(RateLimiter limiter, Principal principal, int tokens) {
        for (int i = 0; i < tokens; i++) {
            limiter.acquireGateway(principal);
        }
    }

    /** Takes tokens until refused; returns how many were granted. */
    private static int drain(RateLimiter limiter, Principal principal) {
        int granted = 0;
        while (true) {
            try {
                limiter.acquireGateway(principal);
                granted++;
            } catch (QueryException refused) {
                return granted;
            }
        }
    }

    private static long retryAfterMs(RateLimiter limiter, Principal principal) {
        QueryException refusal = catchThrowableOfType(QueryException.class, () -> limiter.acquireGateway(principal));
        return (Long) refusal.details().get("retry_after_ms");
    }
}
