package io.omnisql.gateway;

import io.omnisql.cache.Lease;
import io.omnisql.cache.SourceCache;
import io.omnisql.connector.FetchResult;
import io.omnisql.connector.HttpConnector;
import io.omnisql.connector.PageListener;
import io.omnisql.connector.SourceRequest;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.Engine;
import io.omnisql.exec.MaterializedTable;
import io.omnisql.exec.TableWriter;
import io.omnisql.gateway.RequestBinding.Bound;
import io.omnisql.observe.LogContext;
import io.omnisql.observe.Metrics;
import io.omnisql.observe.Span;
import io.omnisql.ratelimit.RateLimiter;
import io.omnisql.sql.Predicate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The fetch coordination of a query: every table reference's data from the freshness cache or one fetch
 * (shared by identical ones), concurrently, charged to the principal's share of each source, loaded page by
 * page into DuckDB; and what older cached data may do when live data cannot be had.
 */
final class FetchCoordinator {
    private static final Logger LOG = Logger.getLogger("omnisql.query");
    private final HttpConnector connector;
    private final Engine engine;
    private final SourceCache cache;
    private final Metrics metrics;
    private final RateLimiter limiter;

    FetchCoordinator(HttpConnector connector, Engine engine, SourceCache cache, Metrics metrics, RateLimiter limiter) {
        this.connector = connector;
        this.engine = engine;
        this.cache = cache;
        this.metrics = metrics;
        this.limiter = limiter;
    }

    // --- freshness: what older cached data may do when live data cannot be had ---

    private static final Set<ErrorCode> UNAVAILABLE =
            Set.of(ErrorCode.SOURCE_ERROR, ErrorCode.SOURCE_TIMEOUT, ErrorCode.RATE_LIMIT_EXHAUSTED);

    /**
     * Fetches every reference's data concurrently. The first failure cancels the other fetches at once (a
     * half-loaded table is dropped by its own fetch) and is rethrown once they have all wound down; data that
     * was served meanwhile is released, whether its fetch finished before or despite the cancel.
     */
    List<Served> fetchAll(List<Bound> bound, Freshness freshness, long deadline, Span trace, QueryHandle handle) {
        Served[] served = new Served[bound.size()];
        List<Integer> missing = new ArrayList<>(bound.size());
        // Fresh data is leased on the caller's thread: a query the cache answers whole starts no fetch thread.
        for (int i = 0; i < bound.size(); i++) {
            served[i] = fresh(bound.get(i), freshness, trace);
            if (served[i] == null) {
                missing.add(i);
            }
        }
        QueryException failure = null;
        if (missing.size() == 1) {
            int slot = missing.get(0);
            try {
                served[slot] = fetch(bound.get(slot), freshness, deadline, trace, handle);
            } catch (QueryException e) {
                failure = e;
            }
        } else if (!missing.isEmpty()) {
            failure = fetchConcurrently(bound, missing, served, freshness, deadline, trace, handle);
        }
        if (failure != null) {
            for (Served s : served) {
                if (s != null) {
                    s.close();
                }
            }
            throw failure;
        }
        return List.of(served);
    }

    /** Fetches the {@code missing} references concurrently into {@code served}; the first failure, or null. */
    private QueryException fetchConcurrently(List<Bound> bound, List<Integer> missing, Served[] served,
                                             Freshness freshness, long deadline, Span trace, QueryHandle handle) {
        QueryException failure = null;
        try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletionService<Integer> done = new ExecutorCompletionService<>(exec);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int slot : missing) {
                futures.add(done.submit(() -> {
                    served[slot] = fetch(bound.get(slot), freshness, deadline, trace, handle);
                    return slot;
                }));
            }
            for (int pending = futures.size(); pending > 0 && failure == null; pending--) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    failure = e.getCause() instanceof QueryException q ? q
                            : new QueryException(ErrorCode.INTERNAL, "fetch failed: " + e.getCause(), Map.of(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = new QueryException(ErrorCode.QUERY_CANCELLED, "query cancelled");
                }
            }
            if (failure != null) {
                futures.forEach(f -> f.cancel(true));
            }
        } // waits for every fetch, cancelled ones included, to end
        return failure;
    }

    /** The reference's data when the cache holds it fresh enough (traced and counted as a hit), else null. */
    private Served fresh(Bound b, Freshness freshness, Span trace) {
        SourceRequest request = b.request();
        Lease lease = cache.fresh(request.key(), freshness.maxStalenessMs());
        if (lease == null) {
            return null;
        }
        try (Span span = trace.child("source.fetch", fetchAttributes(request))) {
            metrics.cache(request.table().name(), lease.outcome());
            span.attribute("cache", lease.outcome().label()).attribute("rows", lease.cached().table().rows());
        }
        return new Served(lease, null);
    }

    private static Map<String, Object> fetchAttributes(SourceRequest request) {
        return Map.of("table", request.table().name(), "source", request.source().name(),
                "pushed_filters", request.pushed().stream().map(Predicate::sql).toList().toString());
    }

    Served fetch(Bound b, Freshness freshness, long deadline, Span trace, QueryHandle handle) {
        SourceRequest request = b.request();
        String table = request.table().name();
        String source = request.source().name();
        try (Span span = trace.child("source.fetch", fetchAttributes(request))) {
            try {
                Lease lease = cache.acquire(request.key(), freshness.maxStalenessMs(), () -> {
                    if (limiter.budgetLeft(source, handle.subject()) == 0) {
                        limiter.chargeBudget(source, handle.subject()); // refuses, saying when a request is allowed again
                    }
                    // Pages are appended while later ones are still being fetched; the load span is the tail.
                    // Pages another replica fetched within the freshness window are as good as this replica's own.
                    long now = System.currentTimeMillis();
                    long sharedSince = now - Math.min(now, freshness.maxStalenessMs());
                    try (TableWriter writer = engine.create(request.columns())) {
                        // Every upstream request carries the fetch span's traceparent: a traced upstream joins the trace.
                        FetchResult fetched = connector.fetch(request, deadline, sharedSince, PageListener.traced(span.traceparent(),
                                (src, tbl, uri, status, rows, nanos) -> {
                                    metrics.sourcePage(src);
                                    handle.page(tbl, src, rows, nanos);
                                    // The principal's share of the source: a fetch stops at the first page past it. A
                                    // 304 the upstream does not count (conditional_requests: free) is not counted either.
                                    if (status != 304 || !request.source().freeRevalidation()) {
                                        limiter.chargeBudget(src, handle.subject());
                                    }
                                    // Told after the exchange: a CLIENT span back-dated by its duration.
                                    span.exchange("source.page", pageAttributes(uri, status, rows), nanos);
                                }), writer::append);
                        metrics.sourceFetch(source, table, fetched.fetchMs() * 1_000_000, fetched.rows());
                        try (Span load = span.child("duckdb.load", Map.of("db.system", "duckdb",
                                "db.operation.name", "INSERT", "table", table, "rows", fetched.rows()))) {
                            MaterializedTable loaded = writer.finish();
                            return new SourceCache.Loaded(loaded, fetched.pages(), fetched.fetchMs(), fetched.warnings());
                        }
                    }
                });
                metrics.cache(table, lease.outcome());
                span.attribute("cache", lease.outcome().label()).attribute("rows", lease.cached().table().rows());
                return new Served(lease, null);
            } catch (QueryException e) {
                span.fail(e.code().name());
                if (e.details().get("source") != null) {
                    metrics.sourceError(source, e.code().name());
                }
                Lease older = UNAVAILABLE.contains(e.code()) ? cache.stale(request.key()) : null;
                if (older == null) {
                    throw e;
                }
                Served served = fallBack(b, older, freshness, e);
                metrics.cache(table, older.outcome());
                span.attribute("cache", older.outcome().label()).attribute("rows", older.cached().table().rows());
                return served;
            }
        }
    }

    /** HTTP client semantic conventions for one upstream exchange (status 0: no answer came). */
    private static Map<String, Object> pageAttributes(java.net.URI uri, int status, int rows) {
        Map<String, Object> a = new java.util.HashMap<>();
        a.put("http.request.method", "GET");
        a.put("server.address", uri.getHost());
        a.put("server.port", uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80);
        a.put("url.path", uri.getPath());
        a.put("rows", rows);
        if (status > 0) {
            a.put("http.response.status_code", status);
        }
        if (status == 0 || status >= 400) {
            a.put("error.type", status == 0 ? "timeout_or_io" : Integer.toString(status));
        }
        return a;
    }

    /** A query's staleness constraint, whether it accepts older data when live data cannot be had, its trace. */
    record Freshness(long maxStalenessMs, boolean allowStale, String traceId) {
    }

    /** A table reference's data for this query, with the warning that serving it raised (or null). */
    record Served(Lease lease, String warning) implements AutoCloseable {
        @Override
        public void close() {
            lease.close();
        }
    }

    /**
     * The live fetch failed but older data is cached: serve it when the request allows stale data, else
     * answer STALE_DATA stating its age. Either way the unmet constraint is logged with the trace id.
     */
    private static Served fallBack(Bound b, Lease older, Freshness freshness, QueryException failure) {
        if (older.ageMs() <= freshness.maxStalenessMs()) {
            return new Served(older, null); // another query refreshed it meanwhile
        }
        String table = b.ref().table().name();
        String situation = table + ": live data was needed (max_staleness_ms " + freshness.maxStalenessMs()
                + ") but the fetch failed (" + failure.code() + ": " + failure.getMessage() + "); cached data is "
                + older.ageMs() + " ms old";
        if (freshness.allowStale()) {
            LogContext.of(freshness.traceId(), null).log(LOG, Level.WARNING,
                    "trace " + freshness.traceId() + ": " + situation + "; served it (allow_stale)", null);
            return new Served(older, situation + "; served it because allow_stale is set");
        }
        long age = older.ageMs();
        older.close();
        LogContext.of(freshness.traceId(), null).log(LOG, Level.WARNING,
                "trace " + freshness.traceId() + ": " + situation + "; refused with STALE_DATA", null);
        throw new QueryException(ErrorCode.STALE_DATA, situation + "; send \"allow_stale\": true to accept it",
                Map.of("table", table, "source", b.ref().table().source(), "available_age_ms", age,
                        "max_staleness_ms", freshness.maxStalenessMs(), "cause", failure.code().name()), failure);
    }
}
