package io.omnisql.connector;

import java.util.List;

/**
 * Rows fetched for one {@link SourceRequest}, values typed per its columns, plus what it cost: list pages and
 * the per-row calls of per-row columns (cache hits excluded).
 */
public record FetchResult(List<Object[]> rows, int pages, int perRowCalls, long fetchMs, boolean truncated,
                          List<String> warnings) {
}
