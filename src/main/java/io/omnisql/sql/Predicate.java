package io.omnisql.sql;

import java.util.List;

/** A single-column comparison with literal values, as it may be pushed to a source ({@code sql} for display). */
public record Predicate(String column, Op op, List<String> values, String sql) {
    public Predicate {
        values = List.copyOf(values);
    }
}
