package io.omnisql.gateway;

import java.util.List;

/** One table reference of an answer, as {@code metadata.sources[]} reports it. */
public record SourceReport(String table, String source, String alias, String cache, long rows, int pages, long fetchMs, long ageMs,
                           List<String> pushedFilters, List<String> residualFilters, List<String> columns,
                           List<String> requests) {
}
