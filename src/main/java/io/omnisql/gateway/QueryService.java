package io.omnisql.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.omnisql.cache.Lease;
import io.omnisql.cache.SourceCache;
import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.config.Snapshot;
import io.omnisql.connector.HttpConnector;
import io.omnisql.connector.SourceRequest;
import io.omnisql.error.ErrorCode;
import io.omnisql.sql.Predicate;
import io.omnisql.error.QueryException;
import io.omnisql.exec.Engine;
import io.omnisql.exec.Job;
import io.omnisql.exec.QueryResult;
import io.omnisql.gateway.FetchCoordinator.Freshness;
import io.omnisql.gateway.FetchCoordinator.Served;
import io.omnisql.gateway.RequestBinding.Bound;
import io.omnisql.identity.Principal;
import io.omnisql.observe.Metrics;
import io.omnisql.observe.RequestTrace;
import io.omnisql.observe.Span;
import io.omnisql.plan.QueryPlan;
import io.omnisql.policy.PolicyDecider;
import io.omnisql.ratelimit.RateLimitSettings;
import io.omnisql.ratelimit.RateLimiter;
import io.omnisql.ratelimit.RunningQueries;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The query path: plan (cached per configuration version and text), govern each table reference, fetch
 * what the cache cannot serve concurrently, then run the statement in DuckDB over the governed tables.
 */
public final class QueryService {
    private static final Logger LOG = Logger.getLogger("omnisql.query");
    private final ConfigStore config;
    private final HttpConnector connector;
    private final Engine engine;
    private final SourceCache cache;
    private final RequestBinding binding;
    private final FetchCoordinator fetches;
    private final Metrics metrics;
    private final Cache<ResultKey, QueryResult> results;
    /** Each statement template's {@code db.query.text}, computed once (the plan cache hands out the same template). */
    private final Cache<String, String> sanitizedTexts = Caffeine.newBuilder().executor(Runnable::run).maximumSize(10_000).build();

    /** Statements DuckDB bound over empty stand-ins of these exact views and column types: not checked again. */
    private final Cache<BindKey, Boolean> bindable = Caffeine.newBuilder().executor(Runnable::run).maximumSize(10_000).build();

    private record BindKey(String template, Map<String, String> views, Map<String, List<Catalog.ColumnDef>> standIns) {
    }

    /** A cached result: the statement over these exact views (whose bodies name the loaded tables), within these limits. */
    private record ResultKey(int maxRows, long maxBytes, String template, Map<String, String> views) {
        long estimatedBytes() {
            long chars = template.length();
            for (Map.Entry<String, String> e : views.entrySet()) {
                chars += e.getKey().length() + e.getValue().length();
            }
            return 2 * chars + 64;
        }
    }
    private final GovernedViews views = new GovernedViews();
    private final JoinPushdown joins;
    private final QuerySlots slots;
    /** Warnings about this replica's state that every answer carries (e.g. the shared store is unreachable). */
    private volatile Supplier<List<String>> replicaWarnings = List::of;
    private final RateLimiter limiter;
    private final PrincipalAdmission admission;
    private final QueryRegistry registry;

    /** Adds {@code warnings}' current lines to every answer (the cluster's degraded mode). */
    public void replicaWarnings(Supplier<List<String>> warnings) {
        this.replicaWarnings = warnings;
    }

    /**
     * @param limiter its settings give each principal's running cap, the queue wait and the admin role
     * @param running the ledger of each principal's running queries (in process, or shared by a cluster)
     */
    public QueryService(ConfigStore config, HttpConnector connector, Engine engine, SourceCache cache,
                        PolicyDecider policy, Metrics metrics, long resultCacheBytes, RateLimiter limiter,
                        RunningQueries running) {
        this.config = config;
        this.limiter = limiter;
        this.admission = new PrincipalAdmission(running);
        this.registry = new QueryRegistry(() -> limiter.settings().queries().resultTtlMs(), 256L << 20);
        this.connector = connector;
        this.engine = engine;
        this.cache = cache;
        this.binding = new RequestBinding(connector, policy,
                config.current().catalog().defaults().sql().planCacheMaxBytes());
        this.fetches = new FetchCoordinator(connector, engine, cache, metrics, limiter);
        this.metrics = metrics;
        this.joins = new JoinPushdown(cache, engine);
        this.slots = new QuerySlots(config.current().catalog().defaults().maxConcurrentQueries());
        this.results = Caffeine.newBuilder().executor(Runnable::run)
                .maximumWeight(resultCacheBytes)
                .weigher((ResultKey k, QueryResult r) -> RequestBinding.saturated(k.estimatedBytes() + r.estimatedBytes()))
                .build();
    }

    /** Runs one query; its steps are traced as children of {@code trace}, whose id also marks its log lines. */
    public QueryAnswer query(Principal principal, QueryRequest request, RequestTrace trace) {
        return query(principal, request, trace, register(principal, request));
    }

    /**
     * A handle for a query about to be run synchronously by {@link #query(Principal, QueryRequest, RequestTrace,
     * QueryHandle)}: whoever holds it may {@link QueryHandle#cancel() cancel} the query from another thread.
     */
    public QueryHandle register(Principal principal, QueryRequest request) {
        return registry.register(principal, request.sql(), false);
    }

    /** Runs one query on the calling thread under {@code handle} (see {@link #register}). */
    public QueryAnswer query(Principal principal, QueryRequest request, RequestTrace trace, QueryHandle handle) {
        Admitted admitted;
        try {
            admitted = admit(principal, request, trace);
        } catch (RuntimeException e) {
            throw end(handle, null, e, trace);
        }
        return run(admitted, handle, trace);
    }

    /**
     * Starts one query in the background and returns its handle at once. Planning, policy and admission (the
     * principal's running cap) happen before this returns, so a bad statement or a principal over its cap is
     * refused here rather than as a failed query; {@code onEnd} is told when the query has ended.
     */
    public QueryHandle submit(Principal principal, QueryRequest request, RequestTrace trace, Consumer<QueryHandle> onEnd) {
        QueryHandle handle = registry.register(principal, request.sql(), true);
        Admitted admitted;
        try {
            admitted = admit(principal, request, trace);
        } catch (RuntimeException e) {
            throw end(handle, null, e, trace);
        }
        Thread.ofVirtual().name("omnisql-query-" + handle.id()).start(() -> {
            try {
                run(admitted, handle, trace);
            } catch (QueryException e) {
                // recorded in the handle
            } finally {
                onEnd.accept(handle);
            }
        });
        return handle;
    }

    /** The running and recently ended queries {@code viewer} may see (all of them for the admin role). */
    public List<QueryHandle.View> queries(Principal viewer) {
        return registry.list(viewer, isAdmin(viewer));
    }

    /** The query {@code id} if {@code viewer} may see it (NOT_FOUND otherwise, GONE past its retention). */
    public QueryHandle find(String id, Principal viewer) {
        return registry.find(id, viewer, isAdmin(viewer));
    }

    private boolean isAdmin(Principal p) {
        return p.hasRole(limiter.settings().queries().adminRole());
    }

    /** A query past planning, policy and its principal's cap: all it needs to run. */
    /** {@code mustFetch}: some reference was not fresh in the cache when admitted (it needs a fetch slot). */
    private record Admitted(Catalog.Defaults defaults, long deadline, QueryPlan plan, List<Bound> bound,
                            Freshness freshness, long maxStaleness, String subject, PrincipalAdmission.Claim claim,
                            boolean mustFetch) {
    }

    private Admitted admit(Principal principal, QueryRequest request, RequestTrace trace) {
        long start = System.nanoTime();
        Snapshot snapshot = config.current();
        Catalog.Defaults defaults = snapshot.catalog().defaults();
        long deadline = start + deadlineMs(request, defaults) * 1_000_000;
        long maxStaleness = request.maxStalenessMs() == null ? defaults.maxStalenessMs() : request.maxStalenessMs();
        if (maxStaleness < 0) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"max_staleness_ms\" must be >= 0");
        }
        QueryPlan plan;
        try (Span span = trace.child("plan", Map.of())) {
            plan = binding.plan(request.sql(), snapshot, deadline);
            span.attribute("tables", plan.refs().stream().map(r -> r.table().name()).distinct().toList().toString());
        }
        List<Bound> bound;
        try (Span span = trace.child("policy.rewrite", Map.of())) {
            bound = binding.bind(principal, plan, request.sql(), snapshot);
        }
        boolean mustFetch = mustFetch(bound, maxStaleness);
        if (mustFetch) {
            // Nothing is fetched (and no running slot taken) for a statement DuckDB would refuse once the data is in.
            try (Span span = trace.child("duckdb.bind", Map.of())) {
                bindCheck(plan, bound, deadline, principal.subject());
            }
        }
        Freshness freshness = new Freshness(maxStaleness, request.allowStale(), trace.traceId());
        RateLimitSettings limits = limiter.settings();
        PrincipalAdmission.Claim claim;
        try (Span span = trace.child("admission", Map.of())) {
            long waitStart = System.nanoTime();
            int cap = limits.maxRunningFor(principal);
            claim = admission.admit(principal.subject(), cap, limits.queries().queueWaitMs(), deadline);
            span.attribute("max_running_queries", cap).attribute("wait_ms", (System.nanoTime() - waitStart) / 1_000_000.0);
        }
        return new Admitted(defaults, deadline, plan, bound, freshness, maxStaleness, principal.subject(), claim, mustFetch);
    }

    private QueryAnswer run(Admitted q, QueryHandle handle, RequestTrace trace) {
        QueryAnswer answer = null;
        RuntimeException failure = null;
        try (PrincipalAdmission.Claim claim = q.claim()) {
            handle.runOn(Thread.currentThread());
            long queuedAt = System.nanoTime();
            QuerySlots.Slot slot = admit(q.subject(), q.mustFetch(), q.defaults());
            handle.queued(System.nanoTime() - queuedAt);
            try {
                handle.moveTo(QueryState.FETCHING);
                List<Bound> bound = new ArrayList<>(q.bound());
                List<Served> served = fetchJoined(q, bound, trace, handle);
                try {
                    handle.moveTo(QueryState.QUEUED);
                    Job job = new Job(q.subject(), q.plan().template(),
                            served.stream().map(s -> s.lease().cached().table().rows()).toList(), (lane, queued) -> {
                                handle.started(lane, queued);
                                metrics.laneStarted(lane.label(), queued);
                                // Told once the wait is over: the span carries the wait as an attribute.
                                trace.child("duckdb.queue", Map.of("lane", lane.label(), "queue_ms", queued / 1_000_000.0)).end();
                            });
                    answer = answer(q.plan(), bound, served, q.defaults(), q.deadline(), trace, job);
                } finally {
                    served.forEach(Served::close);
                }
            } finally {
                slot.close();
            }
            return answer;
        } catch (RuntimeException e) {
            failure = e;
            throw failure;
        } finally {
            RuntimeException ended = end(handle, answer, failure, trace);
            if (failure != null && ended != failure) {
                throw ended;
            }
        }
    }

    /** Records how the query ended in its handle, metrics and trace; returns the failure to answer with. */
    private RuntimeException end(QueryHandle handle, QueryAnswer answer, RuntimeException failure, RequestTrace trace) {
        QueryException error = failure == null ? null : failure instanceof QueryException q ? q
                : new QueryException(ErrorCode.INTERNAL, "internal error; see the gateway log for trace " + trace.traceId(),
                        Map.of(), failure);
        if (failure != null && !(failure instanceof QueryException)) {
            LOG.log(java.util.logging.Level.SEVERE, "trace " + trace.traceId() + ": unexpected failure", failure);
        }
        error = handle.finish(answer, error);
        registry.ended(handle);
        metrics.queryQueued(handle.queueNanos());
        if (error != null && error.code() == ErrorCode.QUERY_CANCELLED) {
            metrics.queryCancelled();
        }
        return error;
    }

    private QueryAnswer answer(QueryPlan plan, List<Bound> bound, List<Served> served, Catalog.Defaults defaults,
                               long deadline, Span trace, Job job) {
        Map<String, String> views = views(plan, bound, served);
        int maxRows = defaults.maxResultRows();
        long maxBytes = defaults.maxResultBytes();
        ResultKey resultKey = new ResultKey(maxRows, maxBytes, plan.template(), views);
        QueryResult result = results.getIfPresent(resultKey);
        try (Span span = trace.child("duckdb.execute", Map.of("db.system", "duckdb", "db.operation.name", "SELECT",
                "db.query.text", sanitizedTexts.get(plan.template(), QueryText::sanitized), "result_cache", result != null))) {
            if (result == null) {
                result = engine.query(plan.template(), views, deadline, maxRows, maxBytes, job);
                results.put(resultKey, result);
            }
            span.attribute("rows", result.rows().size());
        }
        List<String> warnings = new ArrayList<>(plan.warnings());
        List<String> policies = new ArrayList<>();
        List<SourceReport> reports = new ArrayList<>();
        long freshness = 0;
        for (int i = 0; i < bound.size(); i++) {
            Bound b = bound.get(i);
            Lease lease = served.get(i).lease();
            freshness = Math.max(freshness, lease.ageMs());
            warnings.addAll(lease.cached().warnings());
            if (served.get(i).warning() != null) {
                warnings.add(served.get(i).warning());
            }
            policies.addAll(b.governance().applied());
            reports.add(report(b, lease));
        }
        warnings.addAll(replicaWarnings.get());
        switch (result.cut()) {
            case ROWS -> warnings.add("result cut at max_result_rows " + maxRows);
            case BYTES -> warnings.add("result cut at max_result_bytes " + maxBytes + " (estimated JSON size of the rows)");
            case NONE -> {
            }
        }
        return new QueryAnswer(result, reports, freshness, List.copyOf(new LinkedHashSet<>(warnings)),
                List.copyOf(new LinkedHashSet<>(policies)));
    }

    /** Each reference bound to its own per-query view over the data served for it. */
    private Map<String, String> views(QueryPlan plan, List<Bound> bound, List<Served> served) {
        return viewsOver(plan, bound, served.stream().map(s -> s.lease().cached().table().name()).toList());
    }

    /** Each reference bound to its own per-query view over the engine table named in {@code sources}. */
    private Map<String, String> viewsOver(QueryPlan plan, List<Bound> bound, List<String> sources) {
        return views.bind(plan, bound.stream().map(Bound::governance).toList(),
                bound.stream().map(b -> b.request().columns().stream().map(Catalog.ColumnDef::name).collect(Collectors.toSet())).toList(),
                sources);
    }

    /**
     * Has DuckDB bind the statement over the governed views of empty stand-ins of what each reference would
     * fetch (same columns, same types): an unknown column, a type mismatch or a GROUP BY DuckDB cannot bind is
     * refused with DuckDB's own error before any upstream request is spent on the statement.
     */
    private void bindCheck(QueryPlan plan, List<Bound> bound, long deadline, String subject) {
        Map<String, List<Catalog.ColumnDef>> standIns = new java.util.LinkedHashMap<>();
        for (int i = 0; i < bound.size(); i++) {
            standIns.put(Engine.TABLE_PREFIX + "bind_" + i, bound.get(i).request().columns());
        }
        Map<String, String> bodies = viewsOver(plan, bound, List.copyOf(standIns.keySet()));
        BindKey key = new BindKey(plan.template(), bodies, standIns);
        if (bindable.getIfPresent(key) == null) {
            engine.bindCheck(plan.template(), standIns, bodies, deadline,
                    new Job(subject, plan.template(), List.of(), Job.Listener.NONE));
            bindable.put(key, Boolean.TRUE);
        }
    }

    /** Whether some reference is not fresh enough in the cache, so the query must fetch. */
    private boolean mustFetch(List<Bound> bound, long maxStaleness) {
        return bound.stream().anyMatch(b -> !cache.isFresh(b.request().key(), maxStaleness));
    }

    /**
     * A slot of {@code max_concurrent_queries} for a query that must fetch upstream; one served wholly from
     * fresh cache needs none, so cheap queries keep answering while slow sources occupy every slot.
     */
    private QuerySlots.Slot admit(String subject, boolean mustFetch, Catalog.Defaults defaults) {
        return mustFetch ? slots.acquire(subject, defaults.maxConcurrentQueries(), defaults.queueTimeoutMs()) : () -> {
        };
    }

    /** The plan without fetching: what each table reference would push, keep and request. */
    public List<SourceReport> explain(Principal principal, QueryRequest request) {
        Snapshot snapshot = config.current();
        long deadline = explainDeadline(request, snapshot);
        QueryPlan plan = binding.plan(request.sql(), snapshot, deadline);
        List<Bound> bound = binding.bind(principal, plan, request.sql(), snapshot);
        bindCheck(plan, bound, deadline, principal.subject());
        List<SourceReport> out = new ArrayList<>();
        for (Bound b : bound) {
            // The per-row plan depends on what is cached now, so it is asked each time.
            SourceReport d = b.described();
            out.add(new SourceReport(d.table(), d.source(), d.alias(), d.cache(), 0, 0, 0, 0, d.pushedFilters(),
                    d.residualFilters(), d.columns(),
                    java.util.stream.Stream.concat(d.requests().stream(), connector.perRowPlan(b.request()).stream()).toList()));
        }
        return out;
    }

    /** What a statement would spend upstream now, per table reference, and the budgets it would draw from. */
    public record Spend(List<TableSpend> tables, List<SourceBudget> budgets) {
    }

    /**
     * @param requests upstream requests the reference would make: 0 when fresh in the cache, the pages of the
     *                 last fetch of the same request when one is cached (stale), else one per request stream
     *                 plus the planned per-row calls (a lower bound)
     * @param basis    {@code cache}, {@code last_fetch} or {@code minimum}
     */
    public record TableSpend(String table, String alias, String source, long requests, String basis) {
    }

    /**
     * @param requests      what the statement would spend of the source in all
     * @param principalLeft requests the principal may still make of its share, -1 when it has no share configured
     * @param sourceLeft    tokens left in the source's shared bucket
     */
    public record SourceBudget(String source, long requests, long principalLeft, long sourceLeft) {
    }

    /** The upstream requests {@code request} would spend for {@code principal} now, and the budgets left. */
    public Spend spend(Principal principal, QueryRequest request) {
        Snapshot snapshot = config.current();
        long maxStaleness = request.maxStalenessMs() == null ? snapshot.catalog().defaults().maxStalenessMs()
                : Math.max(0, request.maxStalenessMs());
        List<TableSpend> tables = new ArrayList<>();
        Map<String, Long> perSource = new java.util.TreeMap<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Bound b : binding.bind(principal, binding.plan(request.sql(), snapshot, explainDeadline(request, snapshot)), request.sql(), snapshot)) {
            SourceRequest r = b.request();
            long requests;
            String basis;
            if (cache.isFresh(r.key(), maxStaleness) || !seen.add(r.key())) {
                requests = 0; // served by the cache, or by the fetch of an identical reference of the statement
                basis = "cache";
            } else {
                try (Lease last = cache.stale(r.key())) {
                    if (last != null) {
                        requests = last.cached().pages();
                        basis = "last_fetch";
                    } else {
                        requests = r.streams().size() + connector.perRowPlan(r).size();
                        basis = "minimum";
                    }
                }
            }
            tables.add(new TableSpend(b.ref().table().name(), b.ref().alias(), r.source().name(), requests, basis));
            perSource.merge(r.source().name(), requests, Long::sum);
        }
        List<SourceBudget> budgets = new ArrayList<>();
        perSource.forEach((source, n) -> budgets.add(new SourceBudget(source, n,
                limiter.budgetLeft(source, principal.subject()), limiter.sourceTokensLeft(source))));
        return new Spend(tables, budgets);
    }

    public List<String> planWarnings(QueryRequest request) {
        Snapshot snapshot = config.current();
        return binding.plan(request.sql(), snapshot, explainDeadline(request, snapshot)).warnings();
    }

    private static long explainDeadline(QueryRequest request, Snapshot snapshot) {
        return System.nanoTime() + deadlineMs(request, snapshot.catalog().defaults()) * 1_000_000;
    }

    private static long deadlineMs(QueryRequest request, Catalog.Defaults defaults) {
        if (request.timeoutMs() == null) {
            return defaults.timeoutMs();
        }
        if (request.timeoutMs() <= 0) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"timeout_ms\" must be > 0");
        }
        return Math.min(request.timeoutMs(), defaults.maxTimeoutMs());
    }

    // --- join-driven pushdown (JoinPushdown decides; these fetch the seed first and rebind the target) ---

    /**
     * Fetches every reference; when join-driven pushdown has a candidate, its seed first, then the rest
     * concurrently with the target rebound in {@code bound} to its narrowed request if that is estimated cheaper.
     */
    private List<Served> fetchJoined(Admitted q, List<Bound> bound, Span trace, QueryHandle handle) {
        JoinPushdown.Candidate c = q.defaults().joinPushdown() ? candidate(q.plan(), bound, q.maxStaleness()) : null;
        if (c == null) {
            return fetches.fetchAll(bound, q.freshness(), q.deadline(), trace, handle);
        }
        Served seed = fetches.fetch(bound.get(c.seed()), q.freshness(), q.deadline(), trace, handle);
        List<Served> rest;
        try {
            try (Span span = trace.child("join.pushdown", Map.of("seed", bound.get(c.seed()).ref().alias(),
                    "target", bound.get(c.target()).ref().alias()))) {
                Pushed p = push(q.plan(), c, bound, seed.lease(), q.deadline());
                if (p.prepared() != null) {
                    Bound t = bound.get(c.target());
                    bound.set(c.target(), new Bound(t.ref(), t.governance(), p.prepared().request(), p.prepared().described()));
                }
                span.attribute("choice", p.choice().choice()).attribute("full_requests", p.choice().fullRequests())
                        .attribute("pushed_requests", p.choice().pushedRequests()).attribute("keys", p.choice().keys());
            }
            List<Bound> others = new ArrayList<>(bound);
            others.remove(c.seed());
            rest = new ArrayList<>(fetches.fetchAll(others, q.freshness(), q.deadline(), trace, handle));
        } catch (RuntimeException e) {
            seed.close();
            throw e;
        }
        rest.add(c.seed(), seed);
        return rest;
    }

    private JoinPushdown.Candidate candidate(QueryPlan plan, List<Bound> bound, long maxStaleness) {
        return joins.candidate(plan, bound.stream().map(Bound::governance).toList(),
                bound.stream().map(Bound::request).toList(), maxStaleness);
    }

    /** The decision for {@code c} given the seed's data, with the target's narrowed request when pushed. */
    private record Pushed(JoinChoice choice, RequestBinding.Prepared prepared) {
    }

    private Pushed push(QueryPlan plan, JoinPushdown.Candidate c, List<Bound> bound, Lease seed, long deadline) {
        Bound s = bound.get(c.seed());
        List<String> keys;
        try {
            keys = joins.keys(s.ref(), s.governance(), s.request(), seed.cached().table().name(), c.seedColumn(), deadline);
        } catch (QueryException e) {
            if (e.code() != ErrorCode.BAD_REQUEST && e.code() != ErrorCode.UNKNOWN_COLUMN) {
                throw e; // cancelled, timed out: the query ends
            }
            // A seed filter DuckDB cannot apply as rendered (a literal that does not cast): scan in full.
            return new Pushed(JoinPushdown.choice(plan, c, "full_scan", -1, -1, "the seed's keys could not be read: "
                    + e.getMessage()), null);
        }
        if (keys == null) {
            return new Pushed(JoinPushdown.choice(plan, c, "full_scan", -1, -1, "more than " + JoinPushdown.MAX_KEYS
                    + " distinct keys"), null);
        }
        Predicate in = JoinPushdown.predicate(plan, c, keys);
        if (in == null) {
            return new Pushed(JoinPushdown.choice(plan, c, "full_scan", -1, keys.size(), keys.isEmpty() ? "no keys"
                    : "the target column's pushdown rule refuses some key"), null);
        }
        Bound t = bound.get(c.target());
        RequestBinding.Prepared p = binding.prepare(t.ref(), t.governance(), config.current(), List.of(in));
        long pushed = JoinPushdown.pushedEstimate(p.request(), keys.size());
        if (!p.request().pushed().contains(in)) {
            return new Pushed(JoinPushdown.choice(plan, c, "full_scan", -1, keys.size(), "the source cannot apply the keys"), null);
        }
        boolean cheaper = pushed < c.fullRequests();
        return new Pushed(JoinPushdown.choice(plan, c, cheaper ? "pushed" : "full_scan", pushed, keys.size(),
                cheaper ? "fewer requests than the full scan" : "no fewer requests than the full scan"), cheaper ? p : null);
    }

    /**
     * Explain's join-driven pushdown decision, without fetching: exact when the seed is cached (its keys are
     * read from the cache), {@code after_seed_fetch} otherwise; empty when the plan has no candidate.
     */
    public List<JoinChoice> joinPushdown(Principal principal, QueryRequest request) {
        Snapshot snapshot = config.current();
        long maxStaleness = request.maxStalenessMs() == null ? snapshot.catalog().defaults().maxStalenessMs()
                : Math.max(0, request.maxStalenessMs());
        long deadline = explainDeadline(request, snapshot);
        QueryPlan plan = binding.plan(request.sql(), snapshot, deadline);
        List<Bound> bound = binding.bind(principal, plan, request.sql(), snapshot);
        JoinPushdown.Candidate c = candidate(plan, bound, maxStaleness);
        if (c == null) {
            return List.of();
        }
        if (!snapshot.catalog().defaults().joinPushdown()) {
            return List.of(JoinPushdown.choice(plan, c, "disabled", -1, -1, "defaults.join_pushdown is false"));
        }
        try (Lease seed = cache.stale(bound.get(c.seed()).request().key())) {
            if (seed == null) {
                return List.of(JoinPushdown.choice(plan, c, "after_seed_fetch", -1, -1,
                        "the seed is not cached: its keys are known once it is fetched"));
            }
            return List.of(push(plan, c, bound, seed, deadline).choice());
        }
    }

    private static SourceReport report(Bound b, Lease lease) {
        boolean fetchedNow = lease.outcome() == io.omnisql.cache.CacheOutcome.MISS;
        SourceReport d = b.described();
        return new SourceReport(d.table(), d.source(), d.alias(), lease.outcome(), lease.cached().table().rows(),
                fetchedNow ? lease.cached().pages() : 0, fetchedNow ? lease.cached().fetchMs() : 0, lease.ageMs(),
                d.pushedFilters(), d.residualFilters(), d.columns(), d.requests());
    }

}
