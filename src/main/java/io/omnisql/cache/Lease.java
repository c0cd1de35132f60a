package io.omnisql.cache;

/** A query's hold on a cached table; closing it lets eviction drop the table. */
public final class Lease implements AutoCloseable {
    private final CachedTable table;
    private final CacheOutcome outcome;
    private final long ageMs;
    private boolean closed;

    Lease(CachedTable table, CacheOutcome outcome, long ageMs) {
        this.table = table;
        this.outcome = outcome;
        this.ageMs = ageMs;
    }

    public CachedTable cached() {
        return table;
    }

    public CacheOutcome outcome() {
        return outcome;
    }

    /** Age of the data when the lease was taken: 0 for data fetched for this query. */
    public long ageMs() {
        return ageMs;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            table.release();
        }
    }
}
