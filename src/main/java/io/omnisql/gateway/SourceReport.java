package io.omnisql.gateway;

import io.omnisql.cache.CacheOutcome;

import java.util.List;

/** One table reference of an answer, as {@code metadata.sources[]} reports it; {@code cache} is null in explain. */
public record SourceReport(String table, String source, String alias, CacheOutcome cache, long rows, int pages, long fetchMs, long ageMs,
                           List<String> pushedFilters, List<String> residualFilters, List<String> columns,
                           List<String> requests) {
}
