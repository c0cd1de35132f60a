package io.omnisql.ratelimit;

/**
 * The count of each principal's queries running at once, checked against its cap: the admission decision's
 * shared state. The in-process {@link #local()} ledger serves one gateway; a cluster backs the same calls by a
 * shared store (claims there must expire with their holder, so a crashed node cannot keep slots forever).
 */
public interface RunningQueries {
    /** Counts one more running query of {@code subject} when fewer than {@code cap} run; false otherwise. */
    boolean tryClaim(String subject, int cap);

    /** Ends one claim of {@code subject} taken by {@link #tryClaim}. */
    void release(String subject);

    /** Queries of {@code subject} running now (as far as this ledger knows). */
    int running(String subject);

    static RunningQueries local() {
        return new LocalRunningQueries();
    }
}
