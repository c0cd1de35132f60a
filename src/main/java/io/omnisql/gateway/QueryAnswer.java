package io.omnisql.gateway;

import io.omnisql.exec.QueryResult;
import java.util.List;

/** A governed answer and what produced it. */
public record QueryAnswer(QueryResult result, List<SourceReport> sources, long freshnessMs, List<String> warnings,
                          List<String> policies) {
}
