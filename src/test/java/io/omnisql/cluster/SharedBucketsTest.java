package io.omnisql.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;
import io.omnisql.ratelimit.BucketSpec;
import io.omnisql.ratelimit.NanoClock;
import io.omnisql.ratelimit.RateLimitSettings;
import io.omnisql.ratelimit.RateLimiter;
import io.omnisql.ratelimit.SharedBuckets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis-backed buckets against a real redis-server: one limit for several replicas, honest waits, fallback. */
class SharedBucketsTest {
    private static Process redis;
    private static int port;
    private static Path dir;
    private static RedisClient inspector;
    private static StatefulRedisConnection<String, String> raw;

    @BeforeAll
    static void startRedis() throws Exception {
        dir = Files.createTempDirectory("omnisql-redis");
        port = LoopbackServers.freePort();
        redis = LoopbackServers.startRedis(port, dir);
        inspector = RedisClient.create("redis://127.0.0.1:" + port);
        raw = inspector.connect();
    }

    @AfterAll
    static void stopRedis() {
        if (raw != null) {
            raw.close();
            inspector.shutdown();
        }
        LoopbackServers.stop(redis);
    }

    private static Cluster replica(int redisPort, String prefix) {
        return Cluster.join(ClusterSettings.fromMap(Map.of("redis", "redis://127.0.0.1:" + redisPort, "replicas", 2,
                "retry_ms", 200, "key_prefix", prefix, "command_timeout_ms", 3000), name -> null)).orElseThrow();
    }

    private static RateLimiter limiter(String yaml, Cluster cluster, NanoClock clock) {
        RateLimiter limiter = RateLimiter.create(RateLimitSettings.fromYaml(yaml), clock);
        limiter.share(cluster.buckets());
        return limiter;
    }

    private static Principal user(String subject) {
        return new Principal(subject, "mobile", Set.of("analyst"), Set.of(), Map.of());
    }

    private static final String LIMITS = """
            gateway:
              default: {burst: 10, refill_per_second: 0.01}
            sources:
              default: {burst: 100, refill_per_second: 1000, max_concurrency: 8}
            """;

    @Test
    void twoReplicasDrawFromOneBucketAndTellTheSameWait() {
        String prefix = "t" + UUID.randomUUID();
        try (Cluster a = replica(port, prefix); Cluster b = replica(port, prefix)) {
            RateLimiter la = limiter(LIMITS, a, NanoClock.SYSTEM);
            RateLimiter lb = limiter(LIMITS, b, NanoClock.SYSTEM);
            Principal alice = user("alice");
            int granted = 0;
            long retryAfterMs = -1;
            for (int i = 0; i < 20; i++) {
                try {
                    (i % 2 == 0 ? la : lb).acquireGateway(alice);
                    granted++;
                } catch (QueryException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXHAUSTED);
                    retryAfterMs = ((Number) e.details().get("retry_after_ms")).longValue();
                }
            }
            // One bucket of 10 for both replicas; the next token is 100 s (1 / 0.01 per second) after the 10th.
            assertThat(granted).isEqualTo(10);
            assertThat(retryAfterMs).isBetween(90_000L, 100_000L);
            assertThat(b.buckets().available("gw:alice", new BucketSpec(10, 0.01))).isZero();
            assertThat(b.buckets().available("gw:nobody", new BucketSpec(10, 0.01))).isEqualTo(10);
            assertThat(la.stats().fallbackDecisions() + lb.stats().fallbackDecisions()).isZero();
            // The key lives until the bucket would be full again (10 tokens at 0.01/s = 1000 s), then is forgotten.
            long ttl = raw.sync().pttl(prefix + ":{gw%3Aalice}:b");
            assertThat(ttl).isBetween(990_000L, 1_001_000L);
        }
    }

    @Test
    void aCancelledCallerDoesNotTakeTheFleetsRedisDownForOthers() throws Exception {
        String prefix = "t" + UUID.randomUUID();
        try (Cluster a = replica(port, prefix)) {
            BucketSpec spec = new BucketSpec(100, 0.001);
            // A query cancelled mid-decision: its thread is interrupted while (or before) it talks to Redis.
            Thread cancelled = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    a.buckets().take("gw:cancelled", spec, 0);
                } catch (RuntimeException expected) {
                    // abandoned: it does not matter what the cancelled caller gets
                }
            });
            cancelled.start();
            cancelled.join();
            // Everyone else still decides on Redis (no rest period, no local fallback).
            assertThat(a.redisUp()).isTrue();
            assertThat(a.buckets().take("gw:other", spec, 0).granted()).isTrue();
            assertThat(a.buckets().available("gw:other", spec)).isEqualTo(99);
        }
    }

    @Test
    void anUpstreamPauseHoldsEveryReplica() {
        String prefix = "t" + UUID.randomUUID();
        try (Cluster a = replica(port, prefix); Cluster b = replica(port, prefix)) {
            BucketSpec generous = new BucketSpec(100, 1000);
            assertThat(b.buckets().take("src:github", generous, 0).granted()).isTrue();
            assertThat(a.buckets().available("src:github", generous)).isBetween(99L, 100L);
            a.buckets().pause("github", 3_000);
            assertThat(a.buckets().available("src:github", generous)).as("paused: nothing to spend").isZero();
            SharedBuckets.Decision refused = b.buckets().take("src:github", generous, 0);
            assertThat(refused.granted()).isFalse();
            assertThat(refused.waitNanos()).isBetween(TimeUnit.MILLISECONDS.toNanos(2_500), TimeUnit.SECONDS.toNanos(3));
            SharedBuckets.Decision waited = b.buckets().take("src:github", generous, TimeUnit.SECONDS.toNanos(5));
            assertThat(waited.granted()).isTrue();
            assertThat(waited.waitNanos()).isBetween(TimeUnit.MILLISECONDS.toNanos(2_500), TimeUnit.SECONDS.toNanos(3));
            // Other sources are not paused.
            assertThat(b.buckets().take("src:jira", generous, 0)).isEqualTo(new SharedBuckets.Decision(true, 0));
        }
    }

    @Test
    void unreachableRedisFallsBackToOneReplicasShareStartingEmpty() throws Exception {
        int deadPort = LoopbackServers.freePort();
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        NanoClock clock = new NanoClock() {
            @Override
            public long nanoTime() {
                return now.get();
            }

            @Override
            public void sleepNanos(long nanos) {
                now.addAndGet(nanos);
            }
        };
        try (Cluster alone = replica(deadPort, "dead")) {
            RateLimiter limiter = limiter("""
                    gateway:
                      default: {burst: 10, refill_per_second: 2}
                    sources:
                      default: {burst: 100, refill_per_second: 1000, max_concurrency: 8}
                    """, alone, clock);
            Principal bob = user("bob");
            // The replica cannot know what the fleet spent: its bucket (5 tokens, 1/s) starts empty.
            QueryException first = catchThrowableOfType(QueryException.class, () -> limiter.acquireGateway(bob));
            assertThat(first.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXHAUSTED);
            assertThat(first.details().get("retry_after_ms")).isEqualTo(1_000L);
            now.addAndGet(TimeUnit.SECONDS.toNanos(60));
            int granted = 0;
            for (int i = 0; i < 10; i++) {
                try {
                    limiter.acquireGateway(bob);
                    granted++;
                } catch (QueryException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXHAUSTED);
                }
            }
            assertThat(granted).isEqualTo(5);
            assertThat(limiter.stats().fallbackDecisions()).isEqualTo(11);
            assertThat(alone.redisUp()).isFalse();
            assertThat(alone.warnings()).singleElement().asString().contains("1/2 of the fleet's rate limits");
            assertThat(alone.health()).containsEntry("redis_state", "down").containsEntry("replicas", 2);

            // Redis appears later: the replica joins by itself and decides in the shared bucket again.
            Process late = LoopbackServers.startRedis(deadPort, dir);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!alone.redisUp() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(alone.redisUp()).isTrue();
                limiter.acquireGateway(user("carol"));
                assertThat(limiter.stats().fallbackDecisions()).isEqualTo(11);
                assertThat(alone.warnings()).isEmpty();
            } finally {
                LoopbackServers.stop(late);
            }
        }
    }

    @Test
    void runningQueryCapsHoldForTheFleetAndACrashedReplicasClaimsLapse() throws Exception {
        String prefix = "t" + UUID.randomUUID();
        ClusterSettings settings = ClusterSettings.fromMap(Map.of("redis", "redis://127.0.0.1:" + port, "replicas", 2,
                "retry_ms", 200, "key_prefix", prefix, "command_timeout_ms", 3000), name -> null);
        try (RedisLink linkA = new RedisLink(settings); RedisLink linkB = new RedisLink(settings);
             RedisRunningQueries a = new RedisRunningQueries(linkA, 600);
             RedisRunningQueries b = new RedisRunningQueries(linkB, 600)) {
            assertThat(a.tryClaim("dora", 2)).isTrue();
            assertThat(b.tryClaim("dora", 2)).isTrue();
            assertThat(a.tryClaim("dora", 2)).as("the cap is the fleet's, not each replica's").isFalse();
            assertThat(b.running("dora")).isEqualTo(2);
            b.release("dora");
            assertThat(a.tryClaim("dora", 2)).isTrue();
            // Claims still running are renewed past their lease.
            Thread.sleep(1_500);
            assertThat(b.running("dora")).isEqualTo(2);
            // A replica that dies without releasing: its claims lapse after the lease.
            a.close();
            Thread.sleep(1_000);
            assertThat(b.running("dora")).isEqualTo(0);
            assertThat(b.tryClaim("dora", 2)).isTrue();
        }
        try (RedisLink dead = new RedisLink(ClusterSettings.fromMap(Map.of("redis", "redis://127.0.0.1:"
                + LoopbackServers.freePort(), "replicas", 2), name -> null));
             RedisRunningQueries alone = new RedisRunningQueries(dead, 600)) {
            // Redis unreachable: this replica admits cap / replicas of a principal's queries on its own.
            assertThat(alone.tryClaim("erin", 4)).isTrue();
            assertThat(alone.tryClaim("erin", 4)).isTrue();
            assertThat(alone.tryClaim("erin", 4)).isFalse();
            alone.release("erin");
            assertThat(alone.tryClaim("erin", 4)).isTrue();
        }
    }
}
