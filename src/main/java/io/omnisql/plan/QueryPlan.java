package io.omnisql.plan;

import io.omnisql.sql.Predicate;
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

    /** Approximate heap bytes (two per character of the strings it holds, plus fixed allowances), for caches. */
    public long estimatedBytes() {
        long chars = template.length();
        for (String w : warnings) {
            chars += w.length();
        }
        long objects = 4 + warnings.size() + 4L * joins.size();
        for (TableRef r : refs) {
            objects += 8 + r.columns().size() + r.mentioned().size() + r.residual().size();
            for (String s : r.residual()) {
                chars += s.length();
            }
            for (Predicate p : r.candidates()) {
                objects += 4 + p.values().size();
                chars += p.sql().length();
                for (String v : p.values()) {
                    chars += v.length();
                }
            }
        }
        return 2 * chars + 64 * objects;
    }
}
