package io.omnisql.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.MaterializedTable;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The freshness cache: fetched tables keyed by the exact request that produced them, bounded by their
 * estimated bytes. A lookup states how old the data may be; identical fetches in flight at the same time
 * share one upstream call.
 */
public final class SourceCache {
    private final Cache<String, CachedTable> entries;
    private final ConcurrentHashMap<String, CompletableFuture<CachedTable>> inflight = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private final Consumer<MaterializedTable> dropper;

    /** What a loader produced: a loaded table and what fetching it cost. */
    public record Loaded(MaterializedTable table, int pages, long fetchMs, List<String> warnings) {
    }

    public SourceCache(long maxBytes, InstantSource clock, Consumer<MaterializedTable> dropper) {
        this.clock = clock;
        this.dropper = dropper;
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, CachedTable t) -> (int) Math.min(Integer.MAX_VALUE, t.table().bytes()))
                .executor(Runnable::run)
                .removalListener((String k, CachedTable t, com.github.benmanes.caffeine.cache.RemovalCause c) -> {
                    if (t != null) {
                        t.release();
                    }
                })
                .build();
    }

    /**
     * A lease on data for {@code key} no older than {@code maxStalenessMs}, fetching through {@code loader}
     * when the cache has none. The loader's exceptions propagate unchanged, to this caller and to callers that
     * were waiting on the same fetch -- unless the fetch ended because its caller was cancelled: then one waiter
     * becomes the new fetcher and the others wait on it.
     *
     * @throws QueryException QUERY_CANCELLED when this caller is interrupted while waiting on another's fetch
     */
    public Lease acquire(String key, long maxStalenessMs, Supplier<Loaded> loader) {
        while (true) {
            Lease hit = fresh(key, maxStalenessMs);
            if (hit != null) {
                return hit;
            }
            CompletableFuture<CachedTable> mine = new CompletableFuture<>();
            CompletableFuture<CachedTable> theirs = inflight.putIfAbsent(key, mine);
            if (theirs != null) {
                CachedTable shared = awaitLeader(theirs);
                if (shared != null && shared.retain()) {
                    return new Lease(shared, CacheOutcome.COALESCED, Math.max(0, clock.millis() - shared.fetchedAtMillis()));
                }
                continue;
            }
            try {
                Loaded loaded = loader.get();
                CachedTable fresh = new CachedTable(loaded.table(), clock.millis(), loaded.pages(), loaded.fetchMs(),
                        loaded.warnings(), dropper);
                fresh.retain();
                entries.put(key, fresh);
                mine.complete(fresh);
                return new Lease(fresh, CacheOutcome.MISS, 0);
            } catch (RuntimeException | Error e) {
                // A fetch stopped because its own query was cancelled (or interrupted) says nothing about the
                // source: the queries waiting on it fetch again themselves, under their own deadlines.
                mine.completeExceptionally(endedByCancellation(e) ? new LeaderCancelled(e) : e);
                throw e;
            } finally {
                inflight.remove(key, mine);
            }
        }
    }

    /** A lease on {@code key}'s cached data if it is no older than {@code maxStalenessMs}, else null (no fetch). */
    public Lease fresh(String key, long maxStalenessMs) {
        CachedTable cached = entries.getIfPresent(key);
        if (cached != null) {
            long age = Math.max(0, clock.millis() - cached.fetchedAtMillis());
            if (age <= maxStalenessMs && cached.retain()) {
                return new Lease(cached, CacheOutcome.HIT, age);
            }
        }
        return null;
    }

    /** Whether {@link #acquire} would answer {@code key} from the cache now, without an upstream fetch. */
    public boolean isFresh(String key, long maxStalenessMs) {
        CachedTable cached = entries.getIfPresent(key);
        return cached != null && clock.millis() - cached.fetchedAtMillis() <= maxStalenessMs;
    }

    /** The cached entry for {@code key} whatever its age, leased, or null: the fallback when a live fetch fails. */
    public Lease stale(String key) {
        CachedTable cached = entries.getIfPresent(key);
        if (cached == null || !cached.retain()) {
            return null;
        }
        return new Lease(cached, CacheOutcome.STALE, Math.max(0, clock.millis() - cached.fetchedAtMillis()));
    }

    /** Adopts a new byte bound (configuration reload); a table evicted while queries read it is dropped after them. */
    public void resize(long maxBytes) {
        entries.policy().eviction().ifPresent(e -> e.setMaximum(maxBytes));
    }

    public void invalidateAll() {
        entries.invalidateAll();
    }

    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    /** The leader's table, or null when its fetch ended by cancellation (the caller then fetches itself). */
    private static CachedTable awaitLeader(CompletableFuture<CachedTable> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LeaderCancelled) {
                return null;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.QUERY_CANCELLED, "query cancelled while waiting for a shared fetch");
        }
    }

    /** Whether a loader's failure is its own caller's cancellation rather than something about the source. */
    private static boolean endedByCancellation(Throwable e) {
        return Thread.currentThread().isInterrupted()
                || e instanceof QueryException q && q.code() == ErrorCode.QUERY_CANCELLED;
    }

    /** Tells waiters that the fetch they shared was abandoned by its cancelled caller. */
    private static final class LeaderCancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LeaderCancelled(Throwable cause) {
            super("shared fetch abandoned by its cancelled caller", cause, false, false);
        }
    }
}
