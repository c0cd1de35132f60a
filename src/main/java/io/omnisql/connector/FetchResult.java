package io.omnisql.connector;

import java.util.List;

/**
 * What fetching one {@link SourceRequest} cost and delivered: the rows handed to the sink, list pages, the
 * per-row calls of per-row columns (cache hits excluded).
 */
public record FetchResult(long rows, int pages, int perRowCalls, long fetchMs, boolean truncated,
                          List<String> warnings) {
}
