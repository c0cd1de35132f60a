package io.omnisql.exec;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A source table being loaded while its pages are still being fetched. Each page handed to {@link #append} is
 * queued and appended on the engine's platform threads (DuckDB's native calls pin a virtual thread's carrier),
 * so parsing the next page and appending the last one run on two cores at once instead of one after the other.
 * A second appender, on a connection of its own, joins while pages queue up faster than one appends (DuckDB
 * commits concurrent appends to one table without conflict). Pages may come from several threads at once.
 *
 * <p>Use as {@code try (TableWriter w = engine.create(columns)) { ...append...; return w.finish(); }}: closing
 * a writer that did not finish (the fetch failed) discards what it appended and drops the table.
 */
public final class TableWriter implements AutoCloseable {
    /** Pages are appended in slices of at most this many rows, so one huge page still spreads over both appenders. */
    private static final int SLICE_ROWS = 2_048;
    private static final int MAX_APPENDERS = 2;

    private final String name;
    private final long schemaBytes;
    private final Supplier<DuckDBConnection> connections;
    private final ExecutorService appendPool;
    private final Consumer<String> dropTable;
    private final Queue<List<Object[]>> pages = new ConcurrentLinkedQueue<>();
    /** Slices queued and not yet taken by an appender; the queue's own size() walks the whole queue. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    /** Open connection + appender pairs not in use by a running drain; reused so a page costs no new appender. */
    private final Queue<Slot> idle = new ConcurrentLinkedQueue<>();
    private final List<Slot> opened = new ArrayList<>();
    private final LongAdder rows = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private volatile Throwable failure;
    private volatile boolean discarding;
    private boolean ended;

    TableWriter(String name, int columns, Supplier<DuckDBConnection> connections, ExecutorService appendPool,
                Consumer<String> dropTable) {
        this.name = name;
        this.schemaBytes = 64L * columns;
        this.connections = connections;
        this.appendPool = appendPool;
        this.dropTable = dropTable;
    }

    /** Queues one page of rows (values typed per the table's columns) for appending; returns at once. */
    public void append(List<Object[]> page) {
        if (discarding) {
            return;
        }
        for (int from = 0; from < page.size(); from += SLICE_ROWS) {
            pages.add(page.subList(from, Math.min(page.size(), from + SLICE_ROWS)));
            waiting.incrementAndGet();
        }
        startDrains();
    }

    /** Starts a drain when none runs, and a second one when slices are waiting behind the first. */
    private void startDrains() {
        while (true) {
            int r = running.get();
            int w = waiting.get();
            if (w == 0 || r >= MAX_APPENDERS || (r > 0 && w < 2)) {
                return;
            }
            if (running.compareAndSet(r, r + 1)) {
                try {
                    appendPool.execute(this::drain);
                } catch (RejectedExecutionException e) { // the engine is shutting down
                    failure = e;
                    discarding = true;
                    ended();
                    return;
                }
            }
        }
    }

    /** Appends queued slices until none is left; holds a pool thread only while there is work. */
    private void drain() {
        Slot slot = null;
        try {
            List<Object[]> slice;
            while ((slice = pages.poll()) != null) {
                waiting.decrementAndGet();
                if (discarding || failure != null) {
                    continue;
                }
                if (slot == null) {
                    slot = idle.poll();
                    if (slot == null) {
                        slot = open();
                    }
                }
                // The Appender commits each full 2,048-row chunk itself, so the table fills while the fetch runs.
                bytes.add(appendRows(slot.appender(), slice));
                rows.add(slice.size());
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
        } finally {
            if (slot != null) {
                idle.add(slot);
            }
            ended();
        }
        // A slice queued between the last poll and the decrement above found this drain still running.
        startDrains();
    }

    /** One drain stopped: wakes {@link #finish} or {@link #close} waiting for the last one. */
    private void ended() {
        running.decrementAndGet();
        lock.lock();
        try {
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private Slot open() throws SQLException {
        DuckDBConnection c = connections.get();
        try {
            Slot slot = new Slot(c, c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, name));
            synchronized (opened) {
                opened.add(slot);
            }
            return slot;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Waits until every queued page is appended and committed, and hands the table over: the caller owns it
     * from here and must {@link Engine#drop} it.
     *
     * @throws QueryException INTERNAL when DuckDB refused a value; QUERY_TIMEOUT when interrupted
     */
    public MaterializedTable finish() {
        if (ended) {
            throw new IllegalStateException("table writer already finished or closed");
        }
        if (!awaitDrained(true)) {
            Thread.currentThread().interrupt();
            close();
            throw new QueryException(ErrorCode.QUERY_TIMEOUT, "query cancelled while loading fetched rows");
        }
        closeSlots();
        if (failure != null) {
            close();
            throw new QueryException(ErrorCode.INTERNAL, "loading fetched rows failed: " + failure.getMessage(),
                    Map.of(), failure);
        }
        ended = true;
        return new MaterializedTable(name, rows.sum(), schemaBytes + bytes.sum());
    }

    /** Discards a writer that did not finish: stops appending, drops the table. A no-op after {@link #finish}. */
    @Override
    public void close() {
        if (ended) {
            return;
        }
        ended = true;
        discarding = true;
        pages.clear();
        awaitDrained(false);
        closeSlots();
        dropTable.accept(name);
    }

    /** Waits until no drain runs and (unless discarding) no slice waits; false when interrupted first. */
    private boolean awaitDrained(boolean interruptible) {
        lock.lock();
        try {
            while (running.get() > 0 || (waiting.get() > 0 && !discarding)) {
                if (interruptible) {
                    drained.await();
                } else {
                    drained.awaitUninterruptibly();
                }
            }
            return true;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Closing an appender flushes and commits its rows (native work: done on the pool, both at once). */
    private void closeSlots() {
        List<Slot> slots;
        synchronized (opened) {
            slots = List.copyOf(opened);
            opened.clear();
        }
        idle.clear();
        List<Future<?>> closing = new ArrayList<>();
        for (Slot slot : slots) {
            closing.add(appendPool.submit(() -> {
                slot.close();
                return null;
            }));
        }
        for (Future<?> f : closing) {
            try {
                Engine.awaitUninterruptibly(f);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause();
                }
            }
        }
    }

    /** A connection and its appender; used by one drain at a time. */
    private record Slot(DuckDBConnection connection, DuckDBAppender appender) {
        void close() throws SQLException {
            try (DuckDBConnection c = connection) {
                appender.close();
            }
        }
    }

    private static long appendRows(DuckDBAppender a, List<Object[]> rows) throws SQLException {
        long bytes = 0;
        for (Object[] row : rows) {
            a.beginRow();
            for (Object v : row) {
                bytes += append(a, v);
            }
            a.endRow();
        }
        return bytes;
    }

    private static long append(DuckDBAppender a, Object v) throws SQLException {
        switch (v) {
            case null -> {
                a.appendNull();
                return 1;
            }
            case String s -> {
                a.append(s);
                return 16L + s.length();
            }
            case Long l -> a.append(l.longValue());
            case Integer i -> a.append(i.intValue());
            case Double d -> a.append(d.doubleValue());
            case Boolean b -> a.append(b.booleanValue());
            case LocalDateTime t -> a.append(t);
            default -> a.append(v.toString());
        }
        return 8;
    }
}
