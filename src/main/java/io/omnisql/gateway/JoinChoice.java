package io.omnisql.gateway;

/**
 * Join-driven pushdown's decision for one equi-join, as {@code /v1/explain} shows it: the seed (fetched first,
 * its keys sent) and the target (narrowed by them), and both estimates of the target's upstream requests.
 *
 * @param choice         {@code pushed}, {@code full_scan}, {@code after_seed_fetch} (explain only: the seed is
 *                       not cached, its keys are known once fetched) or {@code disabled} ({@code
 *                       defaults.join_pushdown: false})
 * @param fullRequests   the target's full scan: the page count of its last fetch
 * @param pushedRequests the pushed fetch's estimate, -1 when unknown
 * @param keys           distinct seed keys, -1 when unknown
 */
public record JoinChoice(String seedAlias, String seedColumn, String targetAlias, String targetColumn, String choice,
                         long fullRequests, long pushedRequests, int keys, String reason) {
}
