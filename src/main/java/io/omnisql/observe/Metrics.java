package io.omnisql.observe;

import io.omnisql.cache.CacheOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.omnisql.error.ErrorCode;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.IntSupplier;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

/**
 * Typed recording methods for every gateway metric. Meters are created once per label set and cached,
 * so a recording call is a map lookup plus an atomic add.
 *
 * <p>Label values must come from bounded sets: route templates (not paths), catalog source and table
 * names, {@link ErrorCode}s, or short fixed codes. Never SQL text, subjects or tokens.
 */
public final class Metrics {
    /** Bucket bounds (ms) for every latency histogram: resolves 1 ms up to 30 s. */
    static final double[] LATENCY_BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000};

    /**
     * Bucket bounds (s) of {@code http_server_request_duration_seconds}: OpenTelemetry's advice for
     * {@code http.server.request.duration}, which standard dashboards assume.
     */
    static final Duration[] HTTP_DURATION_BUCKETS = Stream.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0).map(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);

    /** Whether a refusal came from the gateway's own buckets or from an upstream's 429/quota answer. */
    public enum RefusalKind {
        GATEWAY, SOURCE;

        private final String label = name().toLowerCase(Locale.ROOT);
    }

    private record HttpKey(String method, String route, int status) {
    }

    private record SourceTable(String source, String table) {
    }

    private record SourceCode(String source, String code) {
    }

    private record TableOutcome(String table, CacheOutcome outcome) {
    }

    private record Refusal(RefusalKind kind, String source) {
    }

    private final PrometheusMeterRegistry registry;
    private final ConcurrentMap<HttpKey, Counter> httpRequests = new ConcurrentHashMap<>();
    private final ConcurrentMap<HttpKey, Timer> httpDurations = new ConcurrentHashMap<>();
    private final DistributionSummary queryLatency;
    private final AtomicInteger queriesInFlight = new AtomicInteger();
    private final Map<ErrorCode, Counter> queryErrors = new EnumMap<>(ErrorCode.class);
    private final ConcurrentMap<SourceTable, DistributionSummary> fetchLatency = new ConcurrentHashMap<>();
    private final ConcurrentMap<SourceTable, Counter> sourceRows = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> sourcePages = new ConcurrentHashMap<>();
    private final ConcurrentMap<SourceCode, Counter> sourceErrors = new ConcurrentHashMap<>();
    private final ConcurrentMap<TableOutcome, Counter> cacheRequests = new ConcurrentHashMap<>();
    private final ConcurrentMap<Refusal, Counter> refusals = new ConcurrentHashMap<>();
    // Micrometer holds gauge state weakly; this map keeps it reachable.
    private final ConcurrentMap<String, AtomicLong> upstreamRemaining = new ConcurrentHashMap<>();
    /** Micrometer holds function counters' state weakly; these keep the cluster's suppliers reachable. */
    private final List<Object> clusterSuppliers = new CopyOnWriteArrayList<>();
    private final ConcurrentMap<String, DistributionSummary> laneWaits = new ConcurrentHashMap<>();
    private final DistributionSummary queryQueue;
    private final Counter cancellations;
    private final Counter reloadsApplied;
    private final Counter reloadsRejected;

    Metrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.queryLatency = histogram("query_latency_ms", "End-to-end query latency in milliseconds").register(registry);
        Gauge.builder("queries_in_flight", queriesInFlight, AtomicInteger::get)
                .description("Queries currently executing")
                .register(registry);
        // Registered up front so every code is exported from 0 and rate() works from the first error.
        for (ErrorCode code : ErrorCode.values()) {
            queryErrors.put(code, Counter.builder("query_errors").description("Failed queries by error code")
                    .tag("code", code.name()).register(registry));
        }
        this.queryQueue = histogram("query_queue_ms", "Time queries spent queued (running cap, fetch slot, DuckDB lane) in milliseconds")
                .register(registry);
        this.cancellations = Counter.builder("query_cancellations").description("Queries cancelled before they ended")
                .register(registry);
        this.reloadsApplied = reloads("applied");
        this.reloadsRejected = reloads("rejected");
    }

    /**
     * Counts one answered HTTP request in {@code http_requests_total} and its duration in
     * {@code http_server_request_duration_seconds}; {@code route} is the route template, e.g. {@code /v1/query}.
     */
    public void httpRequest(String method, String route, int status, long elapsedNanos) {
        HttpKey key = new HttpKey(method(method), route, status);
        get(httpRequests, key, k -> Counter.builder("http_requests")
                .description("HTTP requests answered")
                .tags("method", k.method(), "route", k.route(), "status", Integer.toString(k.status()))
                .register(registry)).increment();
        get(httpDurations, key, k -> Timer.builder("http.server.request.duration")
                .description("Duration of HTTP server requests")
                .tags("method", k.method(), "route", k.route(), "status", Integer.toString(k.status()))
                .serviceLevelObjectives(HTTP_DURATION_BUCKETS)
                .register(registry)).record(elapsedNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * {@code duckdb_memory_bytes}, read at scrape time: the memory DuckDB holds (from {@code duckdb_memory()}).
     * The engine's queues are the lanes' gauges ({@link #lane}).
     */
    public void duckdbMemory(DoubleSupplier memoryBytes) {
        // Strong reference: Micrometer holds gauge state weakly, and nothing else holds this supplier.
        Gauge.builder("duckdb_memory_bytes", memoryBytes, DoubleSupplier::getAsDouble).strongReference(true)
                .description("Memory in use by the embedded DuckDB (NaN when it cannot be read)").register(registry);
    }

    public void queryStarted() {
        queriesInFlight.incrementAndGet();
    }

    /** Ends a query begun with {@link #queryStarted()}; {@code error} is null on success. */
    public void queryFinished(long elapsedNanos, ErrorCode error) {
        queriesInFlight.decrementAndGet();
        queryLatency.record(millis(elapsedNanos));
        if (error != null) {
            queryErrors.get(error).increment();
        }
    }

    /** One completed fetch of a table from its source (all pages), with the rows it produced. */
    public void sourceFetch(String source, String table, long elapsedNanos, long rows) {
        SourceTable key = new SourceTable(source, table);
        get(fetchLatency, key, k -> histogram("source_fetch_ms", "Latency of one table fetch from a source in milliseconds")
                .tags("source", k.source(), "table", k.table()).register(registry)).record(millis(elapsedNanos));
        get(sourceRows, key, k -> Counter.builder("source_rows").description("Rows fetched from sources")
                .tags("source", k.source(), "table", k.table()).register(registry)).increment(rows);
    }

    /** One upstream page (HTTP call) fetched. */
    public void sourcePage(String source) {
        get(sourcePages, source, s -> Counter.builder("source_pages").description("Upstream pages fetched")
                .tag("source", s).register(registry)).increment();
    }

    /** A failed upstream call; {@code code} is a short bounded code such as an {@link ErrorCode} name. */
    public void sourceError(String source, String code) {
        get(sourceErrors, new SourceCode(source, code), k -> Counter.builder("source_errors")
                .description("Failed upstream calls").tags("source", k.source(), "code", k.code())
                .register(registry)).increment();
    }

    public void cache(String table, CacheOutcome outcome) {
        Counter counter = cacheRequests.get(new TableOutcome(table, outcome));
        if (counter == null) {
            // A table's first lookup exports every outcome from 0, so increase() sees its first stale serve.
            for (CacheOutcome o : CacheOutcome.values()) {
                get(cacheRequests, new TableOutcome(table, o), k -> Counter.builder("cache_requests")
                        .description("Result cache lookups").tags("table", k.table(), "outcome", k.outcome().label())
                        .register(registry));
            }
            counter = cacheRequests.get(new TableOutcome(table, outcome));
        }
        counter.increment();
    }

    /** A request refused for rate limiting; {@code source} may be empty for gateway-wide refusals. */
    public void rateLimitRefusal(RefusalKind kind, String source) {
        get(refusals, new Refusal(kind, source == null ? "" : source), k -> Counter.builder("rate_limit_refusals")
                .description("Requests refused by rate limiting").tags("kind", k.kind().label, "source", k.source())
                .register(registry)).increment();
    }

    /** The quota an upstream last reported as remaining (e.g. an X-RateLimit-Remaining header). */
    public void upstreamRateLimitRemaining(String source, long remaining) {
        get(upstreamRemaining, source, s -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("upstream_rate_limit_remaining", value, AtomicLong::get)
                    .description("Rate limit remaining as last reported by the upstream").tag("source", s)
                    .register(registry);
            return value;
        }).set(remaining);
    }

    /**
     * A replica's shared-state meters (see io.omnisql.cluster): whether Redis answers, how many rate-limit
     * decisions it took alone, and how its upstream pages were served (outcome -> running count).
     */
    public void cluster(BooleanSupplier redisUp, LongSupplier localDecisions, Map<String, LongSupplier> pages) {
        clusterSuppliers.add(redisUp);
        clusterSuppliers.add(localDecisions);
        clusterSuppliers.addAll(pages.values());
        Gauge.builder("cluster_redis_up", redisUp, s -> s.getAsBoolean() ? 1 : 0)
                .description("1 while the fleet's Redis answers, 0 while this replica decides alone")
                .strongReference(true).register(registry);
        FunctionCounter.builder("cluster_local_decisions", localDecisions, LongSupplier::getAsLong)
                .description("Rate-limit decisions taken by this replica alone (Redis unreachable)")
                .register(registry);
        pages.forEach((outcome, count) -> FunctionCounter.builder("cluster_pages", count, LongSupplier::getAsLong)
                .description("Upstream pages by how the fleet served them (shared, waited, fetched, local)")
                .tag("outcome", outcome).register(registry));
    }

    /**
     * Exports {@code config_restart_pending{section}}: 1 while the files hold an edit of a restart-only section that
     * the running gateway does not use yet, 0 otherwise (always 0 for sections that apply on reload).
     */
    public void configSection(String section, java.util.function.BooleanSupplier restartPending) {
        Gauge.builder("config_restart_pending", restartPending, p -> p.getAsBoolean() ? 1 : 0)
                .description("1 when an edited configuration section takes effect only after a restart")
                .tag("section", section).strongReference(true).register(registry);
    }

    /** A DuckDB statement left its lane's queue after {@code queuedNanos} and started. */
    public void laneStarted(String lane, long queuedNanos) {
        get(laneWaits, lane, l -> histogram("duckdb_lane_wait_ms", "Time statements waited for a DuckDB lane slot in milliseconds")
                .tag("lane", l).register(registry)).record(millis(queuedNanos));
    }

    /** A query's whole time queued: for its principal's running slot, a fetch slot and a DuckDB lane slot. */
    public void queryQueued(long nanos) {
        queryQueue.record(millis(nanos));
    }

    public void queryCancelled() {
        cancellations.increment();
    }

    /** Exports a DuckDB lane's statements running, statements queued and slots, read when scraped. */
    public void lane(String lane, IntSupplier running, IntSupplier queued, IntSupplier slots) {
        Gauge.builder("duckdb_lane_running", running::getAsInt).description("DuckDB statements running per lane")
                .tag("lane", lane).register(registry);
        Gauge.builder("duckdb_lane_queued", queued::getAsInt).description("DuckDB statements waiting for a lane slot")
                .tag("lane", lane).register(registry);
        Gauge.builder("duckdb_lane_slots", slots::getAsInt).description("DuckDB statement slots per lane")
                .tag("lane", lane).register(registry);
    }

    /** Exports the count of short-lane statements moved to the long lane for outliving the short budget. */
    public void laneDemotions(java.util.function.LongSupplier count) {
        io.micrometer.core.instrument.FunctionCounter.builder("duckdb_lane_demotions", count, c -> c.getAsLong())
                .description("Short-lane statements moved to the long lane for outliving its budget")
                .register(registry);
    }

    public void configReload(boolean applied) {
        (applied ? reloadsApplied : reloadsRejected).increment();
    }

    /** The registry in Prometheus text exposition format 0.0.4. */
    String scrape() {
        return registry.scrape();
    }

    private Counter reloads(String result) {
        return Counter.builder("config_reloads").description("Configuration reload attempts")
                .tag("result", result).register(registry);
    }

    private static DistributionSummary.Builder histogram(String name, String description) {
        return DistributionSummary.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS_MS);
    }

    private static <K, V> V get(ConcurrentMap<K, V> cache, K key, Function<K, V> create) {
        V value = cache.get(key);
        return value != null ? value : cache.computeIfAbsent(key, create);
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }

    /** Methods outside the standard set collapse to one label value so clients cannot mint series. */
    private static String method(String method) {
        return switch (method) {
            case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS" -> method;
            default -> "OTHER";
        };
    }
}
