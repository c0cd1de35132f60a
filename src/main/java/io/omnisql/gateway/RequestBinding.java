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
    private final Cache<PlanKey, QueryPlan> plans = Caffeine.newBuilder().maximumSize(10_000).build();
    private final HttpConnector connector;
    private final PolicyDecider policy;
    /**
     * Source requests per plan and per the governance of its references: identical for every principal
     * that policy treats alike, so a cached query does not rebuild URIs and cache keys on each request.
     */
    private final Cache<RequestsKey, List<Prepared>> requests = Caffeine.newBuilder().maximumSize(10_000).build();

    RequestBinding(HttpConnector connector, PolicyDecider policy) {
        this.connector = connector;
        this.policy = policy;
    }

    private record PlanKey(long version, String sql) {
    }

    private record RequestsKey(PlanKey plan, List<Governance> governance) {
    }

    /** A reference's source request and its description (the explain entry: filters, columns, requests). */
    private record Prepared(SourceRequest request, SourceReport described) {
    }

    /** One table reference made concrete for this principal: its governance and its source request. */
    record Bound(TableRef ref, Governance governance, SourceRequest request, SourceReport described) {
    }

    QueryPlan plan(String sql, Snapshot snapshot) {
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
            TableRef ref = plan.refs().get(r);
            Governance g = governance.get(r);
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
            // Columns declared by Jira field name get this site's ids (its field list is read once per reload).
            Set<String> used = new java.util.HashSet<>(fetched);
            candidates.forEach(p -> used.add(p.column()));
            Catalog.TableDef table = connector.resolveFields(ref.table(), source, used,
                    System.nanoTime() + source.timeoutMs() * 1_000_000L);
            SourceRequest request = RequestBuilder.build(table, source, connector.baseUrl(source), fetched, candidates);
            out.add(new Prepared(request, new SourceReport(ref.table().name(), ref.table().source(), ref.alias(), null, 0, 0, 0, 0,
                    request.pushed().stream().map(Predicate::sql).toList(), residual(ref, request),
                    request.columns().stream().map(Catalog.ColumnDef::name).toList(),
                    request.streams().stream().map(java.net.URI::toString).toList())));
        }
        return List.copyOf(out);
    }

    /** Everything DuckDB must decide: the conjuncts no source could take, then the connector's residual ones. */
    private static List<String> residual(TableRef ref, SourceRequest request) {
        List<String> out = new ArrayList<>(ref.residual());
        request.pushdown().residual().forEach(p -> out.add(p.sql()));
        return out;
    }
}
