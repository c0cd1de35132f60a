package io.omnisql.ratelimit;

/**
 * The {@code queries:} section of {@code ratelimits.yaml}: how long a principal's query over its running cap
 * waits, who may list every query, how long async answers are kept, and DuckDB's execution lanes.
 *
 * @param queueWaitMs      how long a query over its principal's {@code max_running_queries} waits for one of
 *                         them to end before 429 RATE_LIMIT_EXHAUSTED (0: refuse at once)
 * @param adminRole        a principal holding this role lists every principal's queries ({@code GET /v1/queries})
 * @param resultTtlMs      an async query's answer is kept this long after it ends, then answers 410
 * @param shortSlots       statements DuckDB runs at once in the short lane (reserved for cheap statements)
 * @param shortBudgetMs    a short-lane statement running longer moves to the long lane (frees its short slot)
 * @param shortMaxInputRows a statement whose estimated work (input rows; the product for a join) is above
 *                         this starts in the long lane
 * @param longSlots        statements DuckDB runs at once in the long lane
 */
public record QueryLimits(long queueWaitMs, String adminRole, long resultTtlMs, int shortSlots, long shortBudgetMs,
                          long shortMaxInputRows, int longSlots) {
    public static final QueryLimits DEFAULTS = new QueryLimits(1_000, "admin", 300_000, 2, 250, 100_000_000, 1);

    public QueryLimits {
        if (queueWaitMs < 0 || resultTtlMs < 1 || shortSlots < 1 || longSlots < 1 || shortBudgetMs < 1
                || shortMaxInputRows < 1) {
            throw new IllegalArgumentException("queries: limits must be positive (queue_wait_ms may be 0)");
        }
        if (adminRole == null || adminRole.isBlank()) {
            throw new IllegalArgumentException("queries.admin_role: must be a non-empty string");
        }
    }
}
