package io.omnisql.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.MaterializedTable;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SourceCacheTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    private final List<String> dropped = new CopyOnWriteArrayList<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final SourceCache cache = new SourceCache(1 << 20, clock, t -> dropped.add(t.name()));

    private Supplier<SourceCache.Loaded> loader(long bytes) {
        return () -> new SourceCache.Loaded(new MaterializedTable("t" + loads.incrementAndGet(), 10, bytes), 3, 5, List.of());
    }

    @Test
    void dataWithinTheStalenessIsAHitWithItsAgeAndOlderDataIsFetchedAgain() {
        try (Lease miss = cache.acquire("k", 1000, loader(100))) {
            assertThat(miss.outcome()).isEqualTo(CacheOutcome.MISS);
            assertThat(miss.ageMs()).isZero();
        }
        now.addAndGet(1000);
        assertThat(cache.isFresh("k", 1000)).isTrue();
        try (Lease hit = cache.acquire("k", 1000, loader(100))) {
            assertThat(hit.outcome()).isEqualTo(CacheOutcome.HIT);
            assertThat(hit.ageMs()).isEqualTo(1000);
            assertThat(hit.cached().table().name()).isEqualTo("t1");
        }
        now.addAndGet(1);
        assertThat(cache.isFresh("k", 1000)).isFalse();
        try (Lease refetched = cache.acquire("k", 1000, loader(100))) {
            assertThat(refetched.outcome()).isEqualTo(CacheOutcome.MISS);
            assertThat(refetched.cached().table().name()).isEqualTo("t2");
        }
        assertThat(loads).hasValue(2);
        assertThat(dropped).containsExactly("t1");
    }

    @Test
    void identicalLoadsInFlightTogetherShareOneLoad() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Supplier<SourceCache.Loaded> slow = () -> {
            loading.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return loader(100).get();
        };
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Lease> first = threads.submit(() -> cache.acquire("k", 0, slow));
            loading.await(10, TimeUnit.SECONDS);
            List<Future<Lease>> others = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                others.add(threads.submit(() -> cache.acquire("k", 0, slow)));
            }
            // The waiters are parked on the first load; let it finish.
            Thread.sleep(100);
            release.countDown();
            assertThat(first.get().outcome()).isEqualTo(CacheOutcome.MISS);
            for (Future<Lease> f : others) {
                assertThat(f.get().outcome()).isIn(CacheOutcome.COALESCED, CacheOutcome.HIT);
                assertThat(f.get().cached()).isSameAs(first.get().cached());
            }
        }
        assertThat(loads).hasValue(1);
    }

    @Test
    void aFailedLoadReachesItsWaitersAndCachesNothing() {
        Supplier<SourceCache.Loaded> failing = () -> {
            throw new QueryException(ErrorCode.SOURCE_ERROR, "boom");
        };
        assertThatThrownBy(() -> cache.acquire("k", 0, failing)).isInstanceOf(QueryException.class).hasMessage("boom");
        assertThat(cache.stale("k")).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void aWaiterOfAFetchAbandonedByItsCancelledLeaderFetchesItselfInstead() throws Exception {
        CountDownLatch leading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> leader = threads.submit(() -> cache.acquire("k", 0, () -> {
                leading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    // as the connectors do: keep the interrupt, fail the fetch
                    Thread.currentThread().interrupt();
                    throw new QueryException(ErrorCode.SOURCE_TIMEOUT, "fetch interrupted");
                }
                return loader(100).get();
            }).close());
            leading.await();
            Future<Lease> waiter = threads.submit(() -> cache.acquire("k", 0, loader(100)));
            Thread.sleep(100); // the waiter is parked on the leader's fetch
            assertThat(loads).hasValue(0);
            leader.cancel(true); // the leading query is cancelled
            try (Lease lease = waiter.get(10, TimeUnit.SECONDS)) {
                assertThat(lease.outcome()).as("it fetched itself").isEqualTo(CacheOutcome.MISS);
                assertThat(loads).hasValue(1);
            }
        }
    }

    @Test
    void aWaiterSharesTheLeadersFailureWhenTheSourceItselfFailed() throws Exception {
        CountDownLatch leading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> leader = threads.submit(() -> cache.acquire("k", 0, () -> {
                leading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new QueryException(ErrorCode.SOURCE_ERROR, "upstream 500");
            }));
            leading.await();
            Future<Lease> waiter = threads.submit(() -> cache.acquire("k", 0, loader(100)));
            Thread.sleep(100);
            release.countDown();
            assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(QueryException.class)
                    .hasMessageContaining("upstream 500");
            assertThatThrownBy(leader::get).hasMessageContaining("upstream 500");
            assertThat(loads).hasValue(0);
        }
    }

    @Test
    void staleLeaseServesOlderDataWhateverItsAge() {
        cache.acquire("k", 0, loader(100)).close();
        now.addAndGet(3_600_000);
        try (Lease stale = cache.stale("k")) {
            assertThat(stale.outcome()).isEqualTo(CacheOutcome.STALE);
            assertThat(stale.ageMs()).isEqualTo(3_600_000);
        }
        assertThat(cache.stale("other")).isNull();
    }

    @Test
    void evictedTableIsDroppedOnlyAfterTheLastQueryReadingItIsDone() {
        Lease reading = cache.acquire("k", 0, loader(100));
        cache.invalidateAll();
        assertThat(dropped).isEmpty();
        reading.close();
        assertThat(dropped).containsExactly("t1");
    }

    @Test
    void cacheIsBoundedByBytesAndShrinksOnResize() {
        for (int i = 0; i < 8; i++) {
            cache.acquire("k" + i, 60_000, loader(100_000)).close();
        }
        assertThat(cache.size()).isEqualTo(8);
        cache.resize(250_000);
        assertThat(cache.size()).isLessThanOrEqualTo(2);
        assertThat(dropped).hasSizeGreaterThanOrEqualTo(6);
        cache.acquire("big", 60_000, loader(400_000)).close();
        assertThat(cache.isFresh("big", 60_000)).isFalse();
    }
}
