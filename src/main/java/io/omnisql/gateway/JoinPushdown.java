package io.omnisql.gateway;

import io.omnisql.cache.Lease;
import io.omnisql.cache.SourceCache;
import io.omnisql.config.Catalog;
import io.omnisql.config.Catalog.ColumnType;
import io.omnisql.sql.Op;
import io.omnisql.config.Catalog.PushRule;
import io.omnisql.connector.SourceRequest;
import io.omnisql.exec.Engine;
import io.omnisql.exec.QueryResult;
import io.omnisql.plan.EquiJoin;
import io.omnisql.sql.Predicate;
import io.omnisql.plan.QueryPlan;
import io.omnisql.plan.StatementGuard;
import io.omnisql.plan.TableRef;
import io.omnisql.policy.Governance;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Join-driven pushdown: when an inner equi-join links a reference ("seed") to one whose join column the
 * source filters with {@code IN} ("target"), the seed is fetched first and its distinct join keys, read
 * through the principal's governed view (row filters and masks applied, NULLs dropped), are added to the
 * target's request as an {@code IN} candidate: the connector's request builder pushes it like any predicate.
 * It only narrows the target's fetch to a superset of the rows the join keeps; DuckDB still runs the join
 * over the target's governed view. Chosen only when the estimate of the pushed fetch (one page per
 * {@code page_size} keys per request stream) is below the full scan's, which is the page count of the
 * target's last fetch of the same request (no last fetch, or data fresh in the cache: no pushdown).
 */
final class JoinPushdown {
    /** Keys sent in one IN predicate: more would make URLs (JQL) too long; such joins fetch in full. */
    static final int MAX_KEYS = 100;
    private static final Set<ColumnType> KEY_TYPES = Set.of(ColumnType.VARCHAR, ColumnType.BIGINT, ColumnType.INTEGER);

    private final SourceCache cache;
    private final Engine engine;

    JoinPushdown(SourceCache cache, Engine engine) {
        this.cache = cache;
        this.engine = engine;
    }

    /**
     * A join the target side could be narrowed by: the seed's and target's reference indexes and columns, and
     * the full scan's estimate ({@code fullRequests}, from the target's last fetch).
     */
    record Candidate(int seed, String seedColumn, int target, String targetColumn, long fullRequests) {
    }

    /** The most promising candidate of the plan (the target whose full scan costs most), or null. */
    Candidate candidate(QueryPlan plan, List<Governance> governance, List<SourceRequest> requests, long maxStalenessMs) {
        Candidate best = null;
        for (EquiJoin j : plan.joins()) {
            for (boolean flip : new boolean[]{false, true}) {
                int seed = flip ? j.right() : j.left();
                int target = flip ? j.left() : j.right();
                String seedColumn = flip ? j.rightColumn() : j.leftColumn();
                String targetColumn = flip ? j.leftColumn() : j.rightColumn();
                Candidate c = consider(plan, governance, requests, maxStalenessMs, seed, seedColumn, target, targetColumn);
                if (c != null && (best == null || c.fullRequests() > best.fullRequests())) {
                    best = c;
                }
            }
        }
        return best;
    }

    private Candidate consider(QueryPlan plan, List<Governance> governance, List<SourceRequest> requests,
                               long maxStalenessMs, int seed, String seedColumn, int target, String targetColumn) {
        TableRef t = plan.refs().get(target);
        Catalog.ColumnDef column = t.table().column(targetColumn).orElseThrow();
        // A masked or hidden column is joined on its governed value, not the raw one a source would filter.
        if (!KEY_TYPES.contains(column.type()) || column.pushdown().get(Op.IN) == null
                || governance.get(target).protects(targetColumn) || governance.get(seed).protects(seedColumn)) {
            return null;
        }
        SourceRequest request = requests.get(target);
        if (cache.isFresh(request.key(), maxStalenessMs)) {
            return null; // the full scan costs nothing
        }
        long full;
        try (Lease last = cache.stale(request.key())) {
            if (last == null) {
                return null; // no estimate of the full scan
            }
            full = last.cached().pages();
        }
        return full > request.streams().size() ? new Candidate(seed, seedColumn, target, targetColumn, full) : null;
    }

    /** Requests of a pushed fetch: every stream reads at least one page, one more per page_size keys. */
    static long pushedEstimate(SourceRequest target, long keys) {
        int pageSize = Math.max(1, target.source().pagination().pageSize());
        return target.streams().size() * Math.max(1, (keys + pageSize - 1) / pageSize);
    }

    /**
     * The seed's distinct non-NULL join keys as the principal's governed view shows them (row filters and masks
     * applied), of the rows that pass the statement's own single-column filters on the seed, or null past
     * {@link #MAX_KEYS}. Those filters are rendered from their typed form (quoted column, escaped literals):
     * a seed row failing one cannot reach the answer of an all-inner-join block, so its key is not needed.
     */
    List<String> keys(TableRef seedRef, Governance governance, SourceRequest seedRequest, String sourceTable,
                      String column, long deadlineNanos) {
        Set<String> loaded = new java.util.HashSet<>();
        seedRequest.columns().forEach(c -> loaded.add(c.name()));
        Set<String> observed = new java.util.HashSet<>(Set.of(column));
        StringBuilder where = new StringBuilder(quote(column)).append(" IS NOT NULL");
        for (Predicate p : seedRef.candidates()) {
            if (loaded.contains(p.column()) && !governance.hiddenColumns().contains(p.column()) && sameMeaning(seedRef, p)) {
                observed.add(p.column());
                where.append(" AND ").append(render(p));
            }
        }
        String body = governance.view(seedRef.table(), observed, loaded, sourceTable);
        StatementGuard.verifyView(body, sourceTable);
        QueryResult result = engine.query("SELECT DISTINCT " + quote(column) + " FROM " + seedRef.placeholder()
                + " WHERE " + where, java.util.Map.of(seedRef.placeholder(), body), deadlineNanos, MAX_KEYS + 1,
                Long.MAX_VALUE);
        if (result.rows().size() > MAX_KEYS) {
            return null;
        }
        List<String> out = new ArrayList<>();
        result.rows().forEach(r -> out.add(String.valueOf(r[0])));
        out.sort(null); // one order, so equal key sets make equal requests (and cache keys)
        return out;
    }

    /**
     * Whether {@link #render} compares like the statement does: every rendered literal is a quoted string that
     * DuckDB casts to the column's type, which is what a typed or string literal in the statement means; a
     * numeric literal against a text column (compared as numbers by the statement) is left out.
     */
    private static boolean sameMeaning(TableRef ref, Predicate p) {
        ColumnType type = ref.table().column(p.column()).orElseThrow().type();
        return type != ColumnType.VARCHAR || p.values().stream().allMatch(v -> p.sql().contains("'" + v.replace("'", "''") + "'"));
    }

    private static String render(Predicate p) {
        List<String> literals = p.values().stream().map(v -> "'" + v.replace("'", "''") + "'").toList();
        return switch (p.op()) {
            case IN, NOT_IN -> quote(p.column()) + " " + p.op().sql() + " (" + String.join(", ", literals) + ")";
            default -> quote(p.column()) + " " + p.op().sql() + " " + literals.get(0);
        };
    }

    private static String quote(String column) {
        return "\"" + column.replace("\"", "\"\"") + "\"";
    }

    /**
     * The IN candidate to add to the target's request, or null when the keys cannot be pushed (none, too many,
     * or values the column's rule refuses).
     */
    static Predicate predicate(QueryPlan plan, Candidate c, List<String> keys) {
        if (keys == null || keys.isEmpty()) {
            return null;
        }
        PushRule rule = plan.refs().get(c.target()).table().column(c.targetColumn()).orElseThrow().pushdown().get(Op.IN);
        if (!rule.accepts(keys)) {
            return null;
        }
        String seedAlias = plan.refs().get(c.seed()).alias();
        return new Predicate(c.targetColumn(), Op.IN, keys, plan.refs().get(c.target()).alias() + "." + c.targetColumn()
                + " IN (" + keys.size() + " keys of " + seedAlias + "." + c.seedColumn() + ")");
    }

    static JoinChoice choice(QueryPlan plan, Candidate c, String choice, long pushed, int keys, String reason) {
        return new JoinChoice(plan.refs().get(c.seed()).alias(), c.seedColumn(), plan.refs().get(c.target()).alias(),
                c.targetColumn(), choice, c.fullRequests(), pushed, keys, reason);
    }
}
