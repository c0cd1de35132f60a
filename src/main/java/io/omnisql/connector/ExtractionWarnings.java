package io.omnisql.connector;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.sql.Predicate;
import java.util.ArrayList;
import java.util.List;

/**
 * What one fetch's {@link ColumnTally} says about the catalog, as answer warnings: a column whose JSON path
 * no row carried (a wrong path, a field the API was not asked for), a column whose values did not convert to
 * its declared type, and a pushed filter on a column no row carried (the API filtered on something the rows
 * do not show, so DuckDB's re-check sees only NULLs and the answer is likely empty for the wrong reason).
 */
final class ExtractionWarnings {
    private ExtractionWarnings() {
    }

    static List<String> of(SourceRequest request, ColumnTally tally) {
        long rows = tally.rows();
        List<String> out = new ArrayList<>();
        if (rows == 0) {
            return out;
        }
        String table = request.table().name();
        List<ColumnDef> columns = request.columns();
        for (int c = 0; c < columns.size(); c++) {
            ColumnDef col = columns.get(c);
            if (col.isPerRow()) {
                continue;
            }
            if (tally.present(c) == 0) {
                out.add(table + "." + col.name() + ": JSON path '" + col.path() + "' was absent in all " + rows
                        + " rows fetched; the column is NULL (check the path" + (col.field().isEmpty() ? ""
                        : " and that the API returns field '" + col.field() + "'") + ")");
            } else if (tally.failed(c) > 0) {
                out.add(table + "." + col.name() + ": " + tally.failed(c) + " of " + rows + " values "
                        + (col.mapping().isEmpty() ? "did not convert to " + col.type()
                        : "were not in mapping '" + col.mapping() + "'") + " and are NULL");
            }
        }
        for (Predicate p : request.pushed()) {
            for (int c = 0; c < columns.size(); c++) {
                if (columns.get(c).name().equals(p.column()) && !columns.get(c).isPerRow() && tally.present(c) == 0) {
                    out.add(table + ": filter " + p.sql() + " was pushed to the source but column " + p.column()
                            + " was absent in every row it returned; the answer is likely wrong (empty)");
                }
            }
        }
        return out;
    }
}
