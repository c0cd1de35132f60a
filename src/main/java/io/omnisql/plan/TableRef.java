package io.omnisql.plan;

import io.omnisql.config.Catalog.TableDef;
import io.omnisql.sql.Predicate;
import java.util.List;
import java.util.Set;

/**
 * One reference to a catalog table in the statement. Each reference gets its own fetch, so a self-join
 * or a table used in two subqueries pushes down what each use allows.
 *
 * @param placeholder the name standing for this reference in {@link QueryPlan#template()}: the name of its
 *                    per-query governed view (random per plan, never shown to the caller)
 * @param alias       the name the statement uses for it (its alias, or the bare table name)
 * @param columns     the columns the statement can observe (a superset: any mention counts, {@code *} takes all)
 * @param mentioned   the columns the statement names explicitly (policy denials are judged on these)
 * @param candidates  conjuncts of the enclosing WHERE on this reference alone, pushable if the catalog allows
 * @param residual    the other conjuncts of that WHERE touching this reference, for explain
 */
public record TableRef(String placeholder, String alias, TableDef table, Set<String> columns, Set<String> mentioned,
                       List<Predicate> candidates, List<String> residual) {
}
