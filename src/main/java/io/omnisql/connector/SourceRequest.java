package io.omnisql.connector;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.config.Catalog.SourceDef;
import io.omnisql.config.Catalog.TableDef;
import io.omnisql.sql.Predicate;
import java.net.URI;
import java.util.List;

/**
 * What will be asked of a source for one table reference: the predicates it applies, those left to DuckDB,
 * the columns extracted, and one first-page URI per request stream (fan-out value). {@code key} identifies
 * the answer for the freshness cache: two references with the same key get the same rows.
 */
public record SourceRequest(TableDef table, SourceDef source, List<ColumnDef> columns, List<Predicate> pushed,
                            List<Predicate> notPushed, List<URI> streams, String key) {
}
