package io.omnisql.policy;

import java.util.List;

/**
 * The compiled policy of one table. Access: when {@code allow} is not empty only principals matching one of its
 * rules may read the table (otherwise the file's default access decides), and a matching {@code deny} rule
 * always refuses. Row filters all apply (AND) to the principals they select; column rules are in file order.
 */
record TablePolicy(String table, List<AccessRule> allow, List<AccessRule> deny, List<RowFilter> rowFilters,
                   List<ColumnRule> columns) {
    TablePolicy {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        rowFilters = List.copyOf(rowFilters);
        columns = List.copyOf(columns);
    }

    static TablePolicy open(String table) {
        return new TablePolicy(table, List.of(), List.of(), List.of(), List.of());
    }

    /** One {@code allow} or {@code deny} entry. */
    record AccessRule(Audience audience, String rule, String reason) {
    }
}
