package io.omnisql.ratelimit;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static io.omnisql.ratelimit.Fixtures.sources;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class SourceLimitTest {
    private static final long SECOND = 1_000_000_000L;
    private final ManualClock clock = new ManualClock();

    private RateLimiter limiter(long burst, double refillPerSecond, int maxConcurrency) {
        return RateLimiter.create(
                sources(Map.of("github", new SourceLimit(new BucketSpec(burst, refillPerSecond), maxConcurrency))),
                clock);
    }

    @Test
    void tokensWithinTheBurstAreGrantedWithoutWaiting() throws Exception {
        RateLimiter limiter = limiter(2, 10, 8);
        long start = clock.nanoTime();
        for (int i = 0; i < 2; i++) {
            try (SourcePermit permit = limiter.acquireSource("github", start + SECOND)) {
                assertThat(permit.waitedNanos()).isZero();
            }
        }
        assertThat(clock.nanoTime()).isEqualTo(start);
    }

    @Test
    void acquireSleepsForARefillThatArrivesBeforeTheDeadline() throws Exception {
        RateLimiter limiter = limiter(2, 10, 8);
        long start = clock.nanoTime();
        limiter.acquireSource("github", start).close();
        limiter.acquireSource("github", start).close();

        try (SourcePermit permit = limiter.acquireSource("github", start + SECOND)) {
            assertThat(permit.waitedNanos()).isEqualTo(100_000_000L);
        }
        assertThat(clock.nanoTime()).isEqualTo(start + 100_000_000L);
        assertThat(limiter.stats().sourceWaits()).containsEntry("github", 1L);
    }

    @Test
    void acquireFailsFastNamingTheSourceWhenTheRefillMissesTheDeadline() throws Exception {
        RateLimiter limiter = limiter(1, 10, 8);
        long start = clock.nanoTime();
        limiter.acquireSource("github", start).close();

        QueryException refusal = catchThrowableOfType(QueryException.class,
                () -> limiter.acquireSource("github", start + 99_999_999L));
        assertThat(refusal.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXHAUSTED);
        assertThat(refusal.details()).containsEntry("source", "github")
                .containsEntry("limit", "rate")
                .containsEntry("retry_after_ms", 100L);
        assertThat(refusal.getMessage()).contains("github");
        assertThat(clock.nanoTime()).as("failing fast does not sleep").isEqualTo(start);
        assertThat(limiter.stats().sourceRefusals()).containsEntry("github", 1L);
        assertThat(limiter.stats().totalSourceRefusals()).isEqualTo(1);
    }

    @Test
    void aTokenReadyExactlyAtTheDeadlineIsGranted() throws Exception {
        RateLimiter limiter = limiter(1, 10, 8);
        long start = clock.nanoTime();
        limiter.acquireSource("github", start).close();
        limiter.acquireSource("github", start + 100_000_000L).close();
        assertThat(clock.nanoTime()).isEqualTo(start + 100_000_000L);
    }

    @Test
    void waitersQueueBehindEarlierReservations() throws Exception {
        // Two fetches needing a token at the same instant: the second is told to wait for the
        // token after the one already promised to the first.
        long start = clock.nanoTime();
        TokenBucket bucket = TokenBucket.full(new BucketSpec(1, 10), start);
        assertThat(bucket.reserve(start, start).waitNanos()).isZero();
        assertThat(bucket.reserve(start, start + SECOND).waitNanos()).isEqualTo(100_000_000L);
        assertThat(bucket.reserve(start, start + SECOND).waitNanos()).isEqualTo(200_000_000L);
        assertThat(bucket.reserve(start, start + 250_000_000L).granted()).isFalse();
    }

    @Test
    void unknownSourcesGetTheDefaultLimit() throws Exception {
        RateLimiter limiter = limiter(1, 10, 8);
        long start = clock.nanoTime();
        for (int i = 0; i < Fixtures.SOURCE_DEFAULT.bucket().burst(); i++) {
            limiter.acquireSource("confluence", start).close();
        }
        assertThatThrownBy(() -> limiter.acquireSource("confluence", start))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("confluence");
    }

    @Test
    void theConcurrencyCapBlocksTheNextFetchUntilAPermitCloses() throws Exception {
        RateLimiter limiter = limiter(100, 100, 2);
        long farDeadline = clock.nanoTime() + 3600 * SECOND;
        SourcePermit first = limiter.acquireSource("github", farDeadline);
        SourcePermit second = limiter.acquireSource("github", farDeadline);

        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SourcePermit> third = executor.submit(() -> limiter.acquireSource("github", farDeadline));
            assertThatThrownBy(() -> third.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

            first.close();
            third.get(10, TimeUnit.SECONDS).close();
        }
        second.close();
        assertThat(limiter.stats().sourceRefusals()).containsEntry("github", 0L);
    }

    @Test
    void closingAPermitTwiceFreesOnlyOneSlot() throws Exception {
        RateLimiter limiter = limiter(100, 100, 2);
        long now = clock.nanoTime();
        SourcePermit first = limiter.acquireSource("github", now);
        SourcePermit second = limiter.acquireSource("github", now);
        first.close();
        first.close();
        SourcePermit third = limiter.acquireSource("github", now);
        assertThatThrownBy(() -> limiter.acquireSource("github", now)).isInstanceOf(QueryException.class);
        second.close();
        third.close();
    }

    @Test
    void aFetchWaitingForASlotPastTheDeadlineIsRefusedAsAConcurrencyLimit() throws Exception {
        RateLimiter limiter = limiter(100, 100, 1);
        try (SourcePermit held = limiter.acquireSource("github", clock.nanoTime())) {
            // The manual clock stands still, so the semaphore waits 20 ms of real time.
            QueryException refusal = catchThrowableOfType(QueryException.class,
                    () -> limiter.acquireSource("github", clock.nanoTime() + 20_000_000L));
            assertThat(refusal.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXHAUSTED);
            assertThat(refusal.details()).isEqualTo(
                    Map.of("source", "github", "limit", "concurrency", "max_concurrency", 1));
        }
    }

    @Test
    void aRefusedFetchGivesItsSlotBack() throws Exception {
        RateLimiter limiter = limiter(1, 10, 1);
        long start = clock.nanoTime();
        limiter.acquireSource("github", start).close();
        assertThatThrownBy(() -> limiter.acquireSource("github", start))
                .isInstanceOf(QueryException.class)
                .satisfies(e -> assertThat(((QueryException) e).details()).containsEntry("limit", "rate"));

        clock.advance(Duration.ofMillis(100));
        limiter.acquireSource("github", clock.nanoTime()).close();
    }

    @Test
    void anInterruptedWaitThrowsAndGivesItsSlotBack() throws Exception {
        RateLimiter limiter = limiter(1, 10, 1);
        long start = clock.nanoTime();
        limiter.acquireSource("github", start).close();

        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> limiter.acquireSource("github", start + SECOND))
                .isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();

        // The interrupted wait spent the 100 ms token; the slot is free for the next one.
        clock.advance(Duration.ofMillis(200));
        limiter.acquireSource("github", clock.nanoTime()).close();
    }

    @Test
    void updateKeepsAnUnchangedBucketAndResizesSlotsCountingFetchesInFlight() throws Exception {
        BucketSpec bucket = new BucketSpec(5, 1);
        RateLimiter limiter = RateLimiter.create(sources(Map.of("github", new SourceLimit(bucket, 3))), clock);
        long now = clock.nanoTime();
        SourcePermit a = limiter.acquireSource("github", now);
        SourcePermit b = limiter.acquireSource("github", now);
        SourcePermit c = limiter.acquireSource("github", now);

        limiter.update(sources(Map.of("github", new SourceLimit(bucket, 1))));
        a.close();
        b.close();
        assertThatThrownBy(() -> limiter.acquireSource("github", now))
                .isInstanceOf(QueryException.class)
                .satisfies(e -> assertThat(((QueryException) e).details()).containsEntry("limit", "concurrency"));
        c.close();
        limiter.acquireSource("github", now).close();

        // The bucket kept its level: 5 - 3 - 1 = 1 token left.
        limiter.acquireSource("github", now).close();
        assertThatThrownBy(() -> limiter.acquireSource("github", now))
                .isInstanceOf(QueryException.class)
                .satisfies(e -> assertThat(((QueryException) e).details()).containsEntry("limit", "rate"));
    }

    @Test
    void updateOfABucketCapsItsLevelAtTheNewBurst() throws Exception {
        RateLimiter limiter = limiter(10, 1, 8);
        long now = clock.nanoTime();
        limiter.acquireSource("github", now).close();
        limiter.update(sources(Map.of("github", new SourceLimit(new BucketSpec(3, 1), 8))));
        for (int i = 0; i < 3; i++) {
            limiter.acquireSource("github", now).close();
        }
        assertThatThrownBy(() -> limiter.acquireSource("github", now)).isInstanceOf(QueryException.class);
    }

    @Test
    void concurrentFetchesNeverExceedTheCap() throws Exception {
        RateLimiter limiter = limiter(1_000_000, 1_000_000, 3);
        long farDeadline = clock.nanoTime() + 3600 * SECOND;
        var inFlight = new AtomicInteger();
        var maxInFlight = new AtomicInteger();
        try (var executor = Executors.newFixedThreadPool(8)) {
            var tasks = new ArrayList<CompletableFuture<Void>>();
            for (int t = 0; t < 8; t++) {
                tasks.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        try (SourcePermit permit = limiter.acquireSource("github", farDeadline)) {
                            int now = inFlight.incrementAndGet();
                            maxInFlight.accumulateAndGet(now, Math::max);
                            Thread.yield();
                            inFlight.decrementAndGet();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }, executor));
            }
            CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
        assertThat(maxInFlight.get()).isBetween(1, 3);
    }
}
