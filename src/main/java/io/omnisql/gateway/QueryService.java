package io.omnisql.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.omnisql.cache.Lease;
import io.omnisql.cache.SourceCache;
import io.omnisql.config.Catalog;
import io.omnisql.config.ConfigStore;
import io.omnisql.config.Snapshot;
import io.omnisql.connector.FetchResult;
import io.omnisql.connector.HttpConnector;
import io.omnisql.connector.RequestBuilder;
import io.omnisql.connector.SourceRequest;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.Engine;
import io.omnisql.exec.MaterializedTable;
import io.omnisql.exec.QueryResult;
import io.omnisql.identity.Principal;
import io.omnisql.plan.Planner;
import io.omnisql.plan.Predicate;
import io.omnisql.plan.QueryPlan;
import io.omnisql.plan.TableRef;
import io.omnisql.policy.Governance;
import io.omnisql.policy.PolicyDecider;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The query path: plan (cached per configuration version and text), govern each table reference, fetch
 * what the cache cannot serve concurrently, then run the statement in DuckDB over the governed tables.
 */
public final class QueryService {
    private final ConfigStore config;
    private final Planner planner = new Planner();
    private final HttpConnector connector;
    private final Engine engine;
    private final SourceCache cache;
    private final PolicyDecider policy;
    private final Cache<PlanKey, QueryPlan> plans = Caffeine.newBuilder().maximumSize(10_000).build();
    private final Cache<String, QueryResult> results;
    /**
     * Source requests per plan and per the governance of its references: identical for every principal
     * that policy treats alike, so a cached query does not rebuild URIs and cache keys on each request.
     */
    private final Cache<RequestsKey, List<Prepared>> requests = Caffeine.newBuilder().maximumSize(10_000).build();

    private record PlanKey(long version, String sql) {
    }

    private record RequestsKey(PlanKey plan, List<Governance> governance) {
    }

    /** A reference's source request and its description (the explain entry: filters, columns, requests). */
    private record Prepared(SourceRequest request, SourceReport described) {
    }

    /** One table reference made concrete for this principal: its governance and its source request. */
    private record Bound(TableRef ref, Governance governance, SourceRequest request, SourceReport described) {
    }

    public QueryService(ConfigStore config, HttpConnector connector, Engine engine, SourceCache cache,
                        PolicyDecider policy, long resultCacheBytes) {
        this.config = config;
        this.connector = connector;
        this.engine = engine;
        this.cache = cache;
        this.policy = policy;
        this.results = Caffeine.newBuilder()
                .maximumWeight(resultCacheBytes)
                .weigher((String k, QueryResult r) -> k.length() + 64 * (r.rows().size() + 1) * Math.max(1, r.columns().size()))
                .build();
    }

    public QueryAnswer query(Principal principal, QueryRequest request) {
        long start = System.nanoTime();
        Snapshot snapshot = config.current();
        Catalog.Defaults defaults = snapshot.catalog().defaults();
        long deadline = start + deadlineMs(request, defaults) * 1_000_000;
        long maxStaleness = request.maxStalenessMs() == null ? defaults.maxStalenessMs() : request.maxStalenessMs();
        if (maxStaleness < 0) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"max_staleness_ms\" must be >= 0");
        }
        QueryPlan plan = plan(request.sql(), snapshot);
        List<Bound> bound = bind(principal, plan, request.sql(), snapshot);
        List<Lease> leases = fetchAll(bound, maxStaleness, deadline);
        try {
            String sql = plan.template();
            for (int i = 0; i < bound.size(); i++) {
                sql = sql.replace(bound.get(i).ref().placeholder(), governedSource(bound.get(i), leases.get(i).cached().table()));
            }
            int maxRows = defaults.maxResultRows();
            String resultKey = maxRows + "\n" + sql;
            QueryResult result = results.getIfPresent(resultKey);
            if (result == null) {
                result = engine.query(sql, deadline, maxRows);
                results.put(resultKey, result);
            }
            List<String> warnings = new ArrayList<>(plan.warnings());
            List<String> policies = new ArrayList<>();
            List<SourceReport> reports = new ArrayList<>();
            long freshness = 0;
            for (int i = 0; i < bound.size(); i++) {
                Bound b = bound.get(i);
                Lease lease = leases.get(i);
                freshness = Math.max(freshness, lease.ageMs());
                warnings.addAll(lease.cached().warnings());
                policies.addAll(b.governance().applied());
                reports.add(report(b, lease));
            }
            if (result.truncated()) {
                warnings.add("result cut at max_result_rows " + maxRows);
            }
            return new QueryAnswer(result, reports, freshness, List.copyOf(new LinkedHashSet<>(warnings)),
                    List.copyOf(new LinkedHashSet<>(policies)));
        } finally {
            leases.forEach(Lease::close);
        }
    }

    /** The plan without fetching: what each table reference would push, keep and request. */
    public List<SourceReport> explain(Principal principal, QueryRequest request) {
        Snapshot snapshot = config.current();
        QueryPlan plan = plan(request.sql(), snapshot);
        List<SourceReport> out = new ArrayList<>();
        for (Bound b : bind(principal, plan, request.sql(), snapshot)) {
            out.add(b.described());
        }
        return out;
    }

    public List<String> planWarnings(QueryRequest request) {
        return plan(request.sql(), config.current()).warnings();
    }

    private QueryPlan plan(String sql, Snapshot snapshot) {
        if (sql == null) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"sql\" is required");
        }
        PlanKey key = new PlanKey(snapshot.version(), sql);
        QueryPlan plan = plans.getIfPresent(key);
        if (plan == null) {
            plan = planner.plan(sql, snapshot.catalog());
            plans.put(key, plan);
        }
        return plan;
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

    private List<Bound> bind(Principal principal, QueryPlan plan, String sql, Snapshot snapshot) {
        List<Governance> governance = new ArrayList<>(plan.refs().size());
        for (TableRef ref : plan.refs()) {
            governance.add(policy.govern(principal, ref, snapshot));
        }
        List<Prepared> built = requests.get(new RequestsKey(new PlanKey(snapshot.version(), sql), governance),
                k -> sourceRequests(plan, k.governance(), snapshot));
        List<Bound> out = new ArrayList<>(built.size());
        for (int i = 0; i < built.size(); i++) {
            out.add(new Bound(plan.refs().get(i), governance.get(i), built.get(i).request(), built.get(i).described()));
        }
        return out;
    }

    private List<Prepared> sourceRequests(QueryPlan plan, List<Governance> governance, Snapshot snapshot) {
        List<Prepared> out = new ArrayList<>();
        for (int r = 0; r < plan.refs().size(); r++) {
            TableRef ref = plan.refs().get(r);
            Governance g = governance.get(r);
            Catalog.SourceDef source = snapshot.catalog().sources().get(ref.table().source());
            Set<String> fetched = new LinkedHashSet<>(ref.columns());
            fetched.removeAll(g.hiddenColumns());
            // Row filters and masks read columns the statement may not mention.
            for (Catalog.ColumnDef c : ref.table().columns()) {
                boolean used = g.rowFilters().stream().anyMatch(f -> mentions(f, c.name()))
                        || g.masks().values().stream().anyMatch(m -> mentions(m, c.name()));
                if (used) {
                    fetched.add(c.name());
                }
            }
            if (fetched.isEmpty()) {
                fetched.add(ref.table().columns().get(0).name());
            }
            List<Predicate> candidates = new ArrayList<>();
            for (Predicate p : ref.candidates()) {
                if (!g.protects(p.column())) {
                    candidates.add(p);
                }
            }
            candidates.addAll(g.pushable());
            SourceRequest request = RequestBuilder.build(ref.table(), source, connector.baseUrl(source), fetched, candidates);
            out.add(new Prepared(request, new SourceReport(ref.table().name(), ref.alias(), "none", 0, 0, 0, 0,
                    request.pushed().stream().map(Predicate::sql).toList(), residual(ref, request),
                    request.columns().stream().map(Catalog.ColumnDef::name).toList(),
                    request.streams().stream().map(java.net.URI::toString).toList())));
        }
        return List.copyOf(out);
    }

    private static boolean mentions(String sql, String column) {
        return java.util.regex.Pattern.compile("(?i)(?<![A-Za-z0-9_])\"?" + column + "\"?(?![A-Za-z0-9_])").matcher(sql).find();
    }

    private List<Lease> fetchAll(List<Bound> bound, long maxStaleness, long deadline) {
        if (bound.size() == 1) {
            return List.of(fetch(bound.get(0), maxStaleness, deadline));
        }
        List<Lease> leases = new ArrayList<>();
        try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Lease>> futures = new ArrayList<>();
            for (Bound b : bound) {
                futures.add(exec.submit(() -> fetch(b, maxStaleness, deadline)));
            }
            QueryException failure = null;
            for (Future<Lease> f : futures) {
                try {
                    leases.add(f.get());
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof QueryException q ? q
                                : new QueryException(ErrorCode.INTERNAL, "fetch failed: " + e.getCause(), Map.of(), e.getCause());
                        futures.forEach(other -> other.cancel(true));
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    // cancelled after an earlier failure
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = new QueryException(ErrorCode.QUERY_TIMEOUT, "query cancelled");
                }
            }
            if (failure != null) {
                leases.forEach(Lease::close);
                throw failure;
            }
        }
        return leases;
    }

    private Lease fetch(Bound b, long maxStaleness, long deadline) {
        SourceRequest request = b.request();
        return cache.acquire(request.key(), maxStaleness, () -> {
            FetchResult fetched = connector.fetch(request, deadline);
            MaterializedTable table = engine.load(request.columns(), fetched.rows());
            return new SourceCache.Loaded(table, fetched.pages(), fetched.fetchMs(), fetched.warnings());
        });
    }

    /** The governed stand-in for a table reference: the data as-is, or a subquery applying policy. */
    private static String governedSource(Bound b, MaterializedTable table) {
        Governance g = b.governance();
        if (g.isNone()) {
            return table.name();
        }
        StringBuilder sql = new StringBuilder("(SELECT ");
        boolean first = true;
        for (Catalog.ColumnDef c : b.ref().table().columns()) {
            if (!b.ref().columns().contains(c.name()) || g.hiddenColumns().contains(c.name())) {
                continue;
            }
            sql.append(first ? "" : ", ");
            first = false;
            String mask = g.masks().get(c.name());
            sql.append(mask == null ? "\"" + c.name() + "\"" : "(" + mask + ") AS \"" + c.name() + "\"");
        }
        if (first) {
            sql.append("NULL AS \"__no_visible_column\"");
        }
        sql.append(" FROM ").append(table.name());
        if (!g.rowFilters().isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", g.rowFilters().stream().map(f -> "(" + f + ")").toList()));
        }
        return sql.append(')').toString();
    }

    private static SourceReport report(Bound b, Lease lease) {
        boolean fetchedNow = lease.outcome() == io.omnisql.cache.CacheOutcome.MISS;
        SourceReport d = b.described();
        return new SourceReport(d.table(), d.alias(), lease.outcome().label(), lease.cached().table().rows(),
                fetchedNow ? lease.cached().pages() : 0, fetchedNow ? lease.cached().fetchMs() : 0, lease.ageMs(),
                d.pushedFilters(), d.residualFilters(), d.columns(), d.requests());
    }

    /** Everything DuckDB must decide: conjuncts not pushed, and pushed ones the source applies only as a superset. */
    private static List<String> residual(TableRef ref, SourceRequest request) {
        List<String> out = new ArrayList<>(ref.residual());
        request.notPushed().forEach(p -> out.add(p.sql()));
        for (Predicate p : request.pushed()) {
            Catalog.PushRule rule = ref.table().column(p.column()).orElseThrow().pushdown().get(p.op());
            if (rule != null && !rule.exact()) {
                out.add(p.sql());
            }
        }
        return out;
    }
}
