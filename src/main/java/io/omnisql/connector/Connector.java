package io.omnisql.connector;

/** Fetches the rows of a table reference from its source, page by page, within a deadline. */
public interface Connector {
    /**
     * @param deadlineNanos {@link System#nanoTime()} by which the fetch must finish
     * @throws io.omnisql.error.QueryException SOURCE_TIMEOUT, SOURCE_ERROR, or RATE_LIMIT_EXHAUSTED
     */
    FetchResult fetch(SourceRequest request, long deadlineNanos);
}
