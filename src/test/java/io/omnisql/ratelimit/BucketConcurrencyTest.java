package io.omnisql.ratelimit;

import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.omnisql.ratelimit.Fixtures.gateway;
import static io.omnisql.ratelimit.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

class BucketConcurrencyTest {
    private static final int THREADS = 8;

    @Test
    void manyThreadsHammeringOneBucketAreGrantedExactlyBurstPlusRefill() throws Exception {
        ManualClock clock = new ManualClock();
        // A large burst keeps threads granting (and racing) for most of the run.
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(200_000, 10)), clock);
        Principal alice = user("alice");
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            assertThat(hammer(pool, limiter, alice, 40_000)).isEqualTo(200_000);
            clock.advance(Duration.ofMillis(1_500));
            assertThat(hammer(pool, limiter, alice, 5_000)).isEqualTo(15);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void grantsUnderARunningClockNeverExceedBurstPlusRefillOfTheElapsedTime() throws Exception {
        ManualClock clock = new ManualClock();
        RateLimiter limiter = RateLimiter.create(gateway(new BucketSpec(50, 1000)), clock);
        Principal alice = user("alice");
        AtomicBoolean running = new AtomicBoolean(true);
        long start = clock.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        try {
            AtomicLong granted = new AtomicLong();
            // Time starts moving once the workers have drained the initial burst.
            Future<?> ticking = pool.submit(() -> {
                while (granted.get() < 50) {
                    Thread.onSpinWait();
                }
                for (int i = 0; i < 20_000; i++) {
                    clock.advanceNanos(37_000);
                    Thread.onSpinWait();
                }
                running.set(false);
            });
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(pool.submit(() -> {
                    while (running.get()) {
                        try {
                            limiter.acquireGateway(alice);
                            granted.incrementAndGet();
                        } catch (QueryException refused) {
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            ticking.get(60, TimeUnit.SECONDS);
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            long elapsedNanos = clock.nanoTime() - start;
            long ceiling = 50 + elapsedNanos * 1000 / 1_000_000_000L;
            assertThat(granted.get()).isBetween(50L, ceiling);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long hammer(ExecutorService pool, RateLimiter limiter, Principal principal, int attemptsEach)
            throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            results.add(pool.submit(() -> {
                start.await();
                long granted = 0;
                for (int i = 0; i < attemptsEach; i++) {
                    try {
                        limiter.acquireGateway(principal);
                        granted++;
                    } catch (QueryException refused) {
                        // expected once the bucket is empty
                    }
                }
                return granted;
            }));
        }
        start.countDown();
        long total = 0;
        for (Future<Long> result : results) {
            total += result.get(60, TimeUnit.SECONDS);
        }
        return total;
    }
}
