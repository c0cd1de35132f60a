package io.omnisql.connector;

import java.net.URI;

/**
 * Told about every upstream HTTP exchange a fetch makes, for trace spans and metrics. Called on the fetching
 * thread; must be quick and must not throw. The URI carries no secret (credentials travel in headers only).
 */
@FunctionalInterface
public interface PageListener {
    PageListener NONE = (source, table, uri, status, rows, nanos) -> {
    };

    /**
     * @param status HTTP status of the exchange (304 when a stored page was revalidated), or 0 when no answer
     *               came (connection failure or timeout)
     * @param rows   rows the page contributed (0 for failed attempts; 1 for a per-row call)
     * @param nanos  time from sending the request to having the whole body
     */
    void page(String source, String table, URI uri, int status, int rows, long nanos);

    /**
     * The W3C {@code traceparent} sent with each exchange so a traced upstream joins the query's trace, or null
     * (no header).
     */
    default String traceparent() {
        return null;
    }

    /** {@code listener} whose exchanges carry {@code traceparent} (null: none). */
    static PageListener traced(String traceparent, PageListener listener) {
        return new PageListener() {
            @Override
            public void page(String source, String table, URI uri, int status, int rows, long nanos) {
                listener.page(source, table, uri, status, rows, nanos);
            }

            @Override
            public String traceparent() {
                return traceparent;
            }
        };
    }
}
