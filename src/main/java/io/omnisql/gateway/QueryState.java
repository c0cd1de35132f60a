package io.omnisql.gateway;

import java.util.Locale;

/** Where a query is in its life; the last three are final. */
public enum QueryState {
    /** Admitted, waiting for a fetch slot or a DuckDB lane slot. */
    QUEUED,
    /** Reading its tables (from the cache or upstream). */
    FETCHING,
    /** Its statement runs in DuckDB. */
    EXECUTING,
    FINISHED,
    FAILED,
    CANCELLED;

    public boolean done() {
        return this == FINISHED || this == FAILED || this == CANCELLED;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
