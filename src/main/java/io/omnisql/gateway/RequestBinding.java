package io.omnisql.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.omnisql.config.Catalog;
import io.omnisql.config.Snapshot;
import io.omnisql.connector.HttpConnector;
import io.omnisql.connector.RequestBuilder;
import io.omnisql.connector.SourceRequest;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.identity.Principal;
import io.omnisql.plan.Planner;
import io.omnisql.plan.QueryPlan;
import io.omnisql.plan.TableRef;
import io.omnisql.policy.Governance;
import io.omnisql.policy.PolicyDecider;
import io.omnisql.policy.TableRead;
import io.omnisql.sql.Predicate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The request binding of a query: its plan (cached per configuration version and SQL text), each table
 * reference governed for the principal, and the source request each reference makes (cached per plan and
 * governance), with the explain entry describing it.
 */
final class RequestBinding {
    private final Planner planner = new Planner();
    /** Plans and the source requests built from them share one byte budget ({@code plan_cache_max_bytes}). */
    private final Cache<PlanKey, QueryPlan> plans;
    private final HttpConnector connector;
    private final PolicyDecider policy;
    /**
     * Source requests per plan and per the governance of its references: identical for every principal
     * that policy treats alike, so a cached query does not rebuild URIs and cache keys on each request.
     */
    private final Cache<RequestsKey, List<Prepared>> requests;

    /** @param planCacheMaxBytes the budget plans and source requests share ({@code plan_cache_max_bytes}) */
    RequestBinding(HttpConnector connector, PolicyDecider policy, long planCacheMaxBytes) {
        this.connector = connector;
        this.policy = policy;
        // Half the budget each: a flood of distinct statements evicts plans, never grows the heap past it.
        this.plans = Caffeine.newBuilder().executor(Runnable::run).maximumWeight(planCacheMaxBytes / 2)
                .weigher((PlanKey k, QueryPlan p) -> saturated(k.weight() + p.estimatedBytes()))
                .build();
        this.requests = Caffeine.newBuilder().executor(Runnable::run).maximumWeight(planCacheMaxBytes / 2)
                .weigher((RequestsKey k, List<Prepared> v) -> saturated(k.plan().weight() + 64L * k.governance().size()
                        + v.stream().mapToLong(Prepared::weight).sum()))
                .build();
    }

    private record PlanKey(long version, String sql) {
        long weight() {
            return 64 + 2L * sql.length();
        }
    }

    /** A cache weight: estimated bytes, capped where Caffeine's int weights end. */
    static int saturated(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    private record RequestsKey(PlanKey plan, List<Governance> governance) {
    }

    /** A reference's source request and its description (the explain entry: filters, columns, requests). */
    record Prepared(SourceRequest request, SourceReport described) {
        /** The strings it holds, at two bytes a character, plus a fixed allowance per object. */
        long weight() {
            long chars = request.key().length();
            for (java.net.URI u : request.streams()) {
                chars += u.toString().length();
            }
            for (String s : described.requests()) {
                chars += s.length();
            }
            for (String s : described.pushedFilters()) {
                chars += s.length();
            }
            for (String s : described.residualFilters()) {
                chars += s.length();
            }
            return 512 + 2 * chars;
        }
    }

    /** One table reference made concrete for this principal: its governance and its source request. */
    record Bound(TableRef ref, Governance governance, SourceRequest request, SourceReport described) {
    }

    /** @param deadlineNanos when planning gives up (bounded parsing of hostile statements) */
    QueryPlan plan(String sql, Snapshot snapshot, long deadlineNanos) {
        if (sql == null) {
            throw new QueryException(ErrorCode.BAD_REQUEST, "\"sql\" is required");
        }
        PlanKey key = new PlanKey(snapshot.version(), sql);
        QueryPlan plan = plans.getIfPresent(key);
        if (plan == null) {
            plan = planner.plan(sql, snapshot.catalog(), deadlineNanos);
            plans.put(key, plan);
        }
        return plan;
    }

    List<Bound> bind(Principal principal, QueryPlan plan, String sql, Snapshot snapshot) {
        List<Governance> governance = new ArrayList<>(plan.refs().size());
        for (TableRef ref : plan.refs()) {
            governance.add(policy.govern(principal, new TableRead(ref.table(), ref.columns(), ref.mentioned()), snapshot));
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
            out.add(prepare(plan.refs().get(r), governance.get(r), snapshot, List.of()));
        }
        return List.copyOf(out);
    }

    /** One reference's source request; {@code extra} are candidates beyond its WHERE's (a join's keys). */
    Prepared prepare(TableRef ref, Governance g, Snapshot snapshot, List<Predicate> extra) {
        Catalog.SourceDef source = snapshot.catalog().sources().get(ref.table().source());
        Set<String> fetched = new LinkedHashSet<>(ref.columns());
        fetched.removeAll(g.hiddenColumns());
        // Row filters and masks read columns the statement may not mention.
        fetched.addAll(g.columnsRead());
        // A per-row column costs a call per row: only a statement naming it pays that (never SELECT * or count(*)).
        fetched.removeIf(c -> ref.table().column(c).map(Catalog.ColumnDef::isPerRow).orElse(false)
                && !ref.mentioned().contains(c));
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
        candidates.addAll(extra);
        // Columns declared by Jira field name get this site's ids (its field list is read once per reload).
        Set<String> used = new java.util.HashSet<>(fetched);
        candidates.forEach(p -> used.add(p.column()));
        Catalog.TableDef table = connector.resolveFields(ref.table(), source, used,
                System.nanoTime() + source.timeoutMs() * 1_000_000L);
        SourceRequest request = RequestBuilder.build(table, source, connector.baseUrl(source), fetched, candidates);
        return new Prepared(request, new SourceReport(ref.table().name(), ref.table().source(), ref.alias(), null, 0, 0, 0, 0,
                request.pushed().stream().map(Predicate::sql).toList(), residual(ref, request),
                request.columns().stream().map(Catalog.ColumnDef::name).toList(),
                request.streams().stream().map(java.net.URI::toString).toList()));
    }

    /** Everything DuckDB must decide: the conjuncts no source could take, then the connector's residual ones. */
    private static List<String> residual(TableRef ref, SourceRequest request) {
        List<String> out = new ArrayList<>(ref.residual());
        request.pushdown().residual().forEach(p -> out.add(p.sql()));
        return out;
    }
}
