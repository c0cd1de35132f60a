package io.omnisql.plan;

import java.util.List;

/**
 * A parsed, validated statement. {@code template} is the statement as DuckDB will run it with every
 * catalog table reference replaced by its ref's placeholder; the executor substitutes the governed
 * source of each ref. Plans are immutable and cached per configuration version and SQL text.
 */
public record QueryPlan(String template, List<TableRef> refs, List<String> warnings) {
}
