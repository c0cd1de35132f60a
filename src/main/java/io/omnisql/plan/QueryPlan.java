package io.omnisql.plan;

import java.util.List;

/**
 * A parsed, validated statement. {@code template} is the statement exactly as DuckDB will run it: every
 * catalog table reference replaced, on the syntax tree, by its ref's placeholder, which the executor binds
 * to a per-query view of that ref's governed data (the text is never edited). Its tree passed
 * {@link StatementGuard}. Plans are immutable and cached per configuration version and SQL text.
 */
public record QueryPlan(String template, List<TableRef> refs, List<String> warnings) {
}
