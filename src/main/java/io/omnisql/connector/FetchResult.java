package io.omnisql.connector;

import java.util.List;

/** Rows fetched for one {@link SourceRequest}, values typed per its columns, plus what it cost. */
public record FetchResult(List<Object[]> rows, int pages, long fetchMs, boolean truncated, List<String> warnings) {
}
