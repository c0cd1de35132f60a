package io.omnisql.exec;

import java.util.List;

/** What a statement returned: column names and DuckDB type names, rows of JSON-ready values, and any cut. */
public record QueryResult(List<ResultColumn> columns, List<Object[]> rows, Cut cut) {
    public record ResultColumn(String name, String type) {
    }

    /** Which cap, if any, ended the rows early. */
    public enum Cut { NONE, ROWS, BYTES }

    public boolean truncated() {
        return cut != Cut.NONE;
    }
}
