package io.omnisql.connector;

/** Fetches the rows of a table reference from its source, page by page, within a deadline. */
public interface Connector {
    /**
     * @param deadlineNanos {@link System#nanoTime()} by which the fetch must finish
     * @param pages         told about every upstream exchange of this fetch (trace spans of one query)
     * @param rows          receives the rows page by page as they are extracted (all at the end when per-row
     *                      columns must be filled first)
     * @throws io.omnisql.error.QueryException SOURCE_TIMEOUT, SOURCE_ERROR, or RATE_LIMIT_EXHAUSTED
     */
    FetchResult fetch(SourceRequest request, long deadlineNanos, PageListener pages, RowSink rows);

    /**
     * As {@link #fetch(SourceRequest, long, PageListener, RowSink)}; a connector shared by several replicas may
     * use pages another replica fetched at or after {@code sharedSinceMillis} (wall clock: the query's freshness
     * window). Others ignore it.
     */
    default FetchResult fetch(SourceRequest request, long deadlineNanos, long sharedSinceMillis, PageListener pages,
                              RowSink rows) {
        return fetch(request, deadlineNanos, pages, rows);
    }
}
