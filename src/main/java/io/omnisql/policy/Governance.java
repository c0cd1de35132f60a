package io.omnisql.policy;

import io.omnisql.plan.Predicate;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What policy makes of one table reference for one principal. The executor exposes the table to the
 * statement only as {@code (SELECT visible columns, masked ones as their mask expression FROM data WHERE
 * row filters)}, so no part of the user's SQL can observe a hidden row or an unmasked value.
 *
 * @param hiddenColumns columns left out of the governed table (denied; {@code SELECT *} leaves them out)
 * @param masks         column -> SQL expression over the raw column that replaces its value
 * @param rowFilters    SQL predicates (principal values already rendered as literals) every row must pass
 * @param pushable      row filters a source may also apply (always applied again in DuckDB)
 * @param applied       human-readable descriptions for {@code metadata.policies}
 */
public record Governance(Set<String> hiddenColumns, Map<String, String> masks, List<String> rowFilters,
                         List<Predicate> pushable, List<String> applied) {
    public static final Governance NONE = new Governance(Set.of(), Map.of(), List.of(), List.of(), List.of());

    public boolean isNone() {
        return hiddenColumns.isEmpty() && masks.isEmpty() && rowFilters.isEmpty();
    }

    /** Columns whose raw values the statement must not see, so predicates on them never reach a source. */
    public boolean protects(String column) {
        return hiddenColumns.contains(column) || masks.containsKey(column);
    }
}
