package io.omnisql.plan;

import java.util.List;

/**
 * A parsed, validated statement. {@code template} is the statement exactly as DuckDB will run it: every
 * catalog table reference replaced, on the syntax tree, by its ref's placeholder, which the executor binds
 * to a per-query view of that ref's governed data (the text is never edited). Its tree passed
 * {@link StatementGuard}. Plans are immutable and cached per configuration version and SQL text. {@code joins}
 * are the equi-join conditions between references that join-driven pushdown may use.
 */
public record QueryPlan(String template, List<TableRef> refs, List<String> warnings, List<EquiJoin> joins) {
    public QueryPlan {
        joins = List.copyOf(joins);
    }

    public QueryPlan(String template, List<TableRef> refs, List<String> warnings) {
        this(template, refs, warnings, List.of());
    }
}
