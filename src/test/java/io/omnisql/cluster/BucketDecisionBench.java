package io.omnisql.cluster;

import io.omnisql.identity.Principal;
import io.omnisql.ratelimit.RateLimitSettings;
import io.omnisql.ratelimit.RateLimiter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What one gateway-bucket decision costs: in-process (one gateway) vs in Redis (a fleet: one EVALSHA round trip
 * to a real redis-server on loopback), one caller at a time and many at once (Lettuce pipelines concurrent callers
 * on its one connection). Prints figures and the load average; no thresholds.
 *
 * <p>Run: {@code bin/bench-cluster decisions} (or this class's main with the test classpath).
 */
public final class BucketDecisionBench {
    private static final String LIMITS = """
            gateway:
              default: {burst: 1000000000, refill_per_second: 1000000}
            sources:
              default: {burst: 100, refill_per_second: 100, max_concurrency: 8}
            """;

    private BucketDecisionBench() {
    }

    public static void main(String[] args) throws Exception {
        int sequential = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Path dir = Files.createTempDirectory("omnisql-bench-redis");
        int port = LoopbackServers.freePort();
        Process redis = LoopbackServers.startRedis(port, dir);
        List<Principal> principals = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            principals.add(new Principal("user" + i, "mobile", Set.of("analyst"), Set.of(), Map.of()));
        }
        try (Cluster cluster = Cluster.join(ClusterSettings.fromMap(Map.of("redis", "redis://127.0.0.1:" + port,
                "replicas", 2), name -> null)).orElseThrow()) {
            RateLimiter local = RateLimiter.create(RateLimitSettings.fromYaml(LIMITS));
            RateLimiter shared = RateLimiter.create(RateLimitSettings.fromYaml(LIMITS));
            shared.share(cluster.buckets());
            // Warm-up: JIT, script cache, connection.
            run(local, principals, 200_000);
            run(shared, principals, 5_000);
            print("in-process bucket, 1 caller", run(local, principals, 1_000_000));
            print("Redis bucket (EVALSHA), 1 caller", run(shared, principals, sequential));
            print("Redis bucket (EVALSHA), " + callers + " concurrent callers", concurrent(shared, principals, callers,
                    sequential / callers * 4));
            System.out.printf("decisions taken alone (Redis unreachable): %d (must be 0)%n",
                    shared.stats().fallbackDecisions());
        } finally {
            LoopbackServers.stop(redis);
        }
        System.out.printf("load average: %.2f on %d cores%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    /** Per-decision latencies (ns) and the wall time of the whole run. */
    private record Run(long[] nanos, long wallNanos) {
    }

    private static Run run(RateLimiter limiter, List<Principal> principals, int n) {
        long[] nanos = new long[n];
        long wall = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            limiter.acquireGateway(principals.get(i % principals.size()));
            nanos[i] = System.nanoTime() - start;
        }
        return new Run(nanos, System.nanoTime() - wall);
    }

    private static Run concurrent(RateLimiter limiter, List<Principal> principals, int callers, int each)
            throws Exception {
        long[] nanos = new long[callers * each];
        long wall = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int offset = c * each;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        long start = System.nanoTime();
                        limiter.acquireGateway(principals.get((offset + i) % principals.size()));
                        nanos[offset + i] = System.nanoTime() - start;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return new Run(nanos, System.nanoTime() - wall);
    }

    private static void print(String what, Run run) {
        long[] sorted = run.nanos().clone();
        Arrays.sort(sorted);
        System.out.printf("%-45s %9d decisions  %10.0f/s  p50 %8.1f µs  p99 %8.1f µs  max %9.1f µs%n", what,
                sorted.length, sorted.length / (run.wallNanos() / 1e9), pct(sorted, 0.50) / 1e3, pct(sorted, 0.99) / 1e3,
                sorted[sorted.length - 1] / 1e3);
    }

    private static long pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
