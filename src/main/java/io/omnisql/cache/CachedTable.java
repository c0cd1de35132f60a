package io.omnisql.cache;

import io.omnisql.exec.MaterializedTable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A fetched table kept in DuckDB, reference-counted: the cache holds one reference and every query
 * reading it holds another, so eviction never drops a table a running query still reads.
 */
public final class CachedTable {
    private final MaterializedTable table;
    private final long fetchedAtMillis;
    private final int pages;
    private final long fetchMs;
    private final List<String> warnings;
    private final AtomicInteger refs = new AtomicInteger(1);
    private final Consumer<MaterializedTable> dropper;

    CachedTable(MaterializedTable table, long fetchedAtMillis, int pages, long fetchMs, List<String> warnings,
                Consumer<MaterializedTable> dropper) {
        this.table = table;
        this.fetchedAtMillis = fetchedAtMillis;
        this.pages = pages;
        this.fetchMs = fetchMs;
        this.warnings = List.copyOf(warnings);
        this.dropper = dropper;
    }

    public MaterializedTable table() {
        return table;
    }

    public long fetchedAtMillis() {
        return fetchedAtMillis;
    }

    public int pages() {
        return pages;
    }

    public long fetchMs() {
        return fetchMs;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** Takes a reference unless the table is already gone. */
    boolean retain() {
        while (true) {
            int n = refs.get();
            if (n <= 0) {
                return false;
            }
            if (refs.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            dropper.accept(table);
        }
    }
}
