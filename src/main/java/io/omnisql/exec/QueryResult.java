package io.omnisql.exec;

import java.util.List;

/** What a statement returned: column names and DuckDB type names, rows of JSON-ready values. */
public record QueryResult(List<ResultColumn> columns, List<Object[]> rows, boolean truncated) {
    public record ResultColumn(String name, String type) {
    }
}
