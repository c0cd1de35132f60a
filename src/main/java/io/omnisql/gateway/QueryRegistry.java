package io.omnisql.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Every query running now and every async query's outcome for {@code result_ttl_ms} after it ends; then its id
 * answers 410 GONE for a day (ids are random, never reused). Finished queries are also dropped early, oldest
 * first, when their answers together pass {@code maxAnswerBytes}; running ones never are.
 */
public final class QueryRegistry {
    /** DRBG: unpredictable ids without the process-wide lock and read of /dev/urandom per id that NativePRNG takes. */
    private final SecureRandom random = drbg();
    /** Async queries, running or ended (their answers are polled for). */
    private final Cache<String, QueryHandle> live;
    /**
     * Synchronous queries while they run. Their callers are waiting for the answer, so they leave when it is
     * written; a plain map spares the cache's write, expiry and removal bookkeeping on every query.
     */
    private final ConcurrentHashMap<String, QueryHandle> running = new ConcurrentHashMap<>();
    private final Cache<String, Boolean> gone = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(24, TimeUnit.HOURS).build();
    private final LongSupplier resultTtlMs;

    public QueryRegistry(LongSupplier resultTtlMs, long maxAnswerBytes) {
        this.resultTtlMs = resultTtlMs;
        this.live = Caffeine.newBuilder()
                .maximumWeight(maxAnswerBytes)
                .weigher((String id, QueryHandle h) -> (int) Math.min(Integer.MAX_VALUE, h.weight()))
                .expireAfter(new Expiry<String, QueryHandle>() {
                    @Override
                    public long expireAfterCreate(String id, QueryHandle h, long now) {
                        return ttlNanos(h);
                    }

                    @Override
                    public long expireAfterUpdate(String id, QueryHandle h, long now, long remaining) {
                        return ttlNanos(h);
                    }

                    @Override
                    public long expireAfterRead(String id, QueryHandle h, long now, long remaining) {
                        return remaining;
                    }
                })
                .scheduler(Scheduler.systemScheduler())
                .removalListener((String id, QueryHandle h, RemovalCause cause) -> {
                    if (id != null && h != null && cause.wasEvicted()) {
                        gone.put(id, true);
                    }
                })
                .build();
    }

    private long ttlNanos(QueryHandle h) {
        if (!h.isDone()) {
            return Long.MAX_VALUE;
        }
        return TimeUnit.MILLISECONDS.toNanos(resultTtlMs.getAsLong());
    }

    QueryHandle register(Principal principal, String sql, boolean async) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        QueryHandle h = new QueryHandle(HexFormat.of().formatHex(bytes), principal.subject(), sql, async, Instant.now());
        if (async) {
            live.put(h.id(), h);
        } else {
            running.put(h.id(), h);
        }
        return h;
    }

    /**
     * A query has just ended: a synchronous one leaves (its caller has the answer); an async one is re-weighed
     * and re-timed (its answer now counts, its retention starts).
     */
    void ended(QueryHandle h) {
        if (!h.async()) {
            running.remove(h.id(), h);
        } else if (live.asMap().replace(h.id(), h) == null) {
            gone.put(h.id(), true);
        }
    }

    /**
     * The query {@code id} as {@code viewer} may see it: its own, or any for {@code admin}.
     *
     * @throws QueryException NOT_FOUND (unknown, or another principal's), GONE (kept past its retention)
     */
    public QueryHandle find(String id, Principal viewer, boolean admin) {
        QueryHandle h = running.get(id);
        if (h == null) {
            h = live.getIfPresent(id);
        }
        if (h != null && (admin || h.subject().equals(viewer.subject()))) {
            return h;
        }
        if (h == null && gone.getIfPresent(id) != null) {
            // Its owner is no longer known: say gone to anyone, which reveals nothing but that the id existed.
            throw new QueryException(ErrorCode.GONE, "query " + id + " ended and its answer was kept for its "
                    + "retention time (queries.result_ttl_ms); it is gone");
        }
        throw new QueryException(ErrorCode.NOT_FOUND, "no query " + id);
    }

    /** Queries {@code viewer} may see, newest first: its own, or everyone's for {@code admin}. */
    public List<QueryHandle.View> list(Principal viewer, boolean admin) {
        return java.util.stream.Stream.concat(running.values().stream(), live.asMap().values().stream())
                .filter(h -> admin || h.subject().equals(viewer.subject()))
                .map(QueryHandle::snapshot)
                .sorted(java.util.Comparator.comparing(QueryHandle.View::submittedAt).reversed())
                .toList();
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
