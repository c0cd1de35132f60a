package io.omnisql.plan;

import java.util.List;

/**
 * A parsed, validated statement. {@code template} is the statement as DuckDB will run it with every
 * catalog table reference replaced by its ref's placeholder; the executor substitutes the governed
 * source of each ref. Plans are immutable and cached per configuration version and SQL text.
 */
public record QueryPlan(String template, List<TableRef> refs, List<String> warnings) {
    /** Approximate heap bytes (two per character of the strings it holds, plus fixed allowances), for caches. */
    public long estimatedBytes() {
        long chars = template.length();
        for (String w : warnings) {
            chars += w.length();
        }
        long objects = 4 + warnings.size();
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
