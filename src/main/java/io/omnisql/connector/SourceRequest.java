package io.omnisql.connector;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.sql.Predicate;
import java.net.URI;
import java.util.List;

/**
 * What will be asked of a source for one table reference: how each candidate predicate is applied (the
 * {@link Pushdown} decided once), the columns extracted, and one first-page URI per request stream (fan-out
 * value). {@code key} identifies the answer for the freshness cache: two references with the same key get the
 * same rows.
 */
public record SourceRequest(TableDef table, SourceDef source, List<ColumnDef> columns, Pushdown pushdown,
                            List<URI> streams, String key) {
    /** The predicates the source applies, exactly or approximately. */
    public List<Predicate> pushed() {
        return pushdown.pushed();
    }

    /** The predicates left to DuckDB alone. */
    public List<Predicate> notPushed() {
        return pushdown.notPushed();
    }
}
