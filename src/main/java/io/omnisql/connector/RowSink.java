package io.omnisql.connector;

import java.util.List;

/**
 * Where a fetch delivers its rows, one page at a time as each is extracted, so loading can start before the
 * last page arrives. Called from several fetching threads at once; must not keep the thread long.
 */
@FunctionalInterface
public interface RowSink {
    /** Rows of one page, values typed per the request's columns; the list is the sink's to keep. */
    void accept(List<Object[]> rows);
}
