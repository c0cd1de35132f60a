package io.omnisql.gateway;

/** The body of {@code POST /v1/query} and {@code /v1/explain}; null numbers take the configured defaults. */
public record QueryRequest(String sql, Long maxStalenessMs, Long timeoutMs, boolean allowStale) {
}
