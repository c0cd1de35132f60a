package io.omnisql.exec;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.duckdb.DuckDBConnection;

/**
 * One embedded in-memory DuckDB per gateway. Source data is loaded once per fetch into a table of its own
 * (through the Appender, page by page while the fetch runs: {@link TableWriter}) and shared by every query
 * that may read it; each statement runs on a fresh connection on a bounded pool of platform threads, because
 * DuckDB's native calls pin a virtual thread's carrier and would stall the HTTP server's other requests.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("omnisql.exec");
    private final DuckDBConnection root;
    private final ExecutorService pool;
    private final ScheduledExecutorService canceller;
    /** Appends of tables being loaded; separate from {@code pool} so slow statements never hold up a load. */
    private final ExecutorService appendPool;
    private final AtomicLong tableIds = new AtomicLong();

    public record Settings(int threads, String memoryLimit, int poolSize) {
    }

    public Engine(Settings settings) {
        try {
            root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
            try (Statement s = root.createStatement()) {
                s.execute("SET threads = " + settings.threads());
                s.execute("SET memory_limit = '" + settings.memoryLimit().replace("'", "") + "'");
                // The user's SQL runs sandboxed: no files, network, extensions, or setting changes.
                s.execute("SET autoinstall_known_extensions = false");
                s.execute("SET autoload_known_extensions = false");
                s.execute("SET allow_community_extensions = false");
                s.execute("SET enable_external_access = false");
                s.execute("SET lock_configuration = true");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot start DuckDB: " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(settings.poolSize(), r -> {
            Thread t = new Thread(r, "omnisql-duckdb-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger a = new AtomicInteger();
        appendPool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "omnisql-duckdb-append-" + a.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        canceller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "omnisql-duckdb-deadline");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Creates a new shared table for one fetch and returns its writer: pages are appended as they arrive; the
     * caller owns the finished table and must {@link #drop} it.
     */
    public TableWriter create(List<ColumnDef> columns) {
        String name = "src_" + tableIds.incrementAndGet();
        bookkeeping(() -> {
            try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement()) {
                StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(name).append(" (");
                for (int i = 0; i < columns.size(); i++) {
                    ddl.append(i == 0 ? "" : ", ").append('"').append(columns.get(i).name()).append("\" ")
                            .append(columns.get(i).type().name());
                }
                s.execute(ddl.append(')').toString());
            }
            return null;
        });
        return new TableWriter(name, columns.size(), this::connection, appendPool, this::dropTable);
    }

    private DuckDBConnection connection() {
        try {
            return (DuckDBConnection) root.duplicate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open a DuckDB connection: " + e.getMessage(), e);
        }
    }

    public void drop(MaterializedTable table) {
        dropTable(table.name());
    }

    private void dropTable(String name) {
        try {
            bookkeeping(() -> {
                try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + name);
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warning(() -> "could not drop " + name + ": " + e.getMessage());
        }
    }

    /**
     * Bytes DuckDB holds in memory (its buffer manager's tags summed, from {@code duckdb_memory()}), read on the
     * caller's thread: a short catalog call that must not wait behind queued statements; NaN when unreadable.
     */
    public double memoryBytes() {
        try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()")) {
            return rs.next() ? rs.getLong(1) : Double.NaN;
        } catch (SQLException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Statements waiting for an engine thread (the engine queue's depth). */
    public int queueDepth() {
        return pool instanceof ThreadPoolExecutor t ? t.getQueue().size() : 0;
    }

    /**
     * Whether the engine answers a trivial statement through its pool within {@code timeoutMs}: the readiness
     * check (a wedged or saturated engine is not ready).
     */
    public boolean answers(long timeoutMs) {
        try {
            return onPool(() -> {
                try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT 1")) {
                    return rs.next() && rs.getInt(1) == 1;
                }
            }, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Names of the tables currently held (for tests and diagnostics: nothing but cached source data). */
    public List<String> tables() {
        return onPool(() -> {
            try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT table_name FROM duckdb_tables() ORDER BY table_name")) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }, Long.MAX_VALUE);
    }

    /**
     * Runs one statement on its own connection, interrupted at the deadline. Reading stops after
     * {@code maxRows} rows or once the rows' estimated JSON size passes {@code maxBytes}, whichever comes first.
     *
     * @throws QueryException QUERY_TIMEOUT past the deadline; UNKNOWN_COLUMN or BAD_REQUEST when DuckDB rejects it
     */
    public QueryResult query(String sql, long deadlineNanos, int maxRows, long maxBytes) {
        return onPool(() -> {
            try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement()) {
                long delay = deadlineNanos - System.nanoTime();
                if (delay <= 0) {
                    throw new QueryException(ErrorCode.QUERY_TIMEOUT, "query deadline reached before execution");
                }
                ScheduledFuture<?> cancel = canceller.schedule(() -> cancelQuietly(s), delay, TimeUnit.NANOSECONDS);
                try (ResultSet rs = s.executeQuery(sql)) {
                    return read(rs, maxRows, maxBytes);
                } catch (SQLException e) {
                    if (System.nanoTime() >= deadlineNanos || String.valueOf(e.getMessage()).contains("INTERRUPT")) {
                        throw new QueryException(ErrorCode.QUERY_TIMEOUT, "statement exceeded the query deadline");
                    }
                    throw translate(e);
                } finally {
                    cancel.cancel(false);
                }
            }
        }, deadlineNanos);
    }

    private static void cancelQuietly(Statement s) {
        try {
            s.cancel();
        } catch (SQLException ignored) {
            // the statement already finished
        }
    }

    private static QueryResult read(ResultSet rs, int maxRows, long maxBytes) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<QueryResult.ResultColumn> cols = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            cols.add(new QueryResult.ResultColumn(md.getColumnLabel(i), md.getColumnTypeName(i)));
        }
        List<Object[]> rows = new ArrayList<>();
        QueryResult.Cut cut = QueryResult.Cut.NONE;
        long bytes = 0;
        while (rs.next()) {
            if (rows.size() >= maxRows) {
                cut = QueryResult.Cut.ROWS;
                break;
            }
            Object[] row = new Object[n];
            long size = 2 + Math.max(0, n - 1);
            for (int i = 0; i < n; i++) {
                row[i] = jsonValue(rs.getObject(i + 1));
                size += jsonSize(row[i]);
            }
            bytes += size + 1;
            if (bytes > maxBytes) {
                cut = QueryResult.Cut.BYTES;
                break;
            }
            rows.add(row);
        }
        return new QueryResult(List.copyOf(cols), rows, cut);
    }

    /** The serialized JSON size of a value, estimated (string escapes and non-ASCII expansion are ignored). */
    private static long jsonSize(Object v) {
        return switch (v) {
            case null -> 4;
            case String s -> s.length() + 2L;
            case List<?> list -> {
                long size = 2 + Math.max(0, list.size() - 1);
                for (Object item : list) {
                    size += jsonSize(item);
                }
                yield size;
            }
            default -> v.toString().length();
        };
    }

    private static Object jsonValue(Object v) throws SQLException {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Integer i -> i;
            case Long l -> l;
            case Short s -> s.intValue();
            case Byte b -> b.intValue();
            case Double d -> d.isNaN() || d.isInfinite() ? d.toString() : d;
            case Float f -> f.isNaN() || f.isInfinite() ? f.toString() : f.doubleValue();
            case BigInteger b -> b;
            case BigDecimal b -> b;
            case LocalDateTime t -> t.toString();
            case OffsetDateTime t -> t.toString();
            case java.sql.Timestamp t -> t.toLocalDateTime().toString();
            case Array a -> {
                Object[] items = (Object[]) a.getArray();
                List<Object> out = new ArrayList<>(items.length);
                for (Object item : items) {
                    out.add(jsonValue(item));
                }
                yield out;
            }
            default -> v.toString();
        };
    }

    private static QueryException translate(SQLException e) {
        String msg = String.valueOf(e.getMessage());
        String first = msg.lines().findFirst().orElse(msg);
        if (msg.contains("Referenced column") || msg.contains("not found in FROM clause")
                || (msg.contains("Binder Error") && msg.contains("column"))) {
            return new QueryException(ErrorCode.UNKNOWN_COLUMN, clean(first));
        }
        if (msg.contains("Parser Error")) {
            return new QueryException(ErrorCode.SQL_SYNTAX, clean(first));
        }
        if (msg.contains("Permission Error") || msg.contains("disabled") || msg.contains("Catalog Error")) {
            return new QueryException(ErrorCode.UNSUPPORTED_STATEMENT, clean(first));
        }
        return new QueryException(ErrorCode.BAD_REQUEST, clean(first));
    }

    /** DuckDB names the internal tables in messages; they mean nothing to the caller. */
    private static String clean(String message) {
        return message.replaceAll("omni_[0-9a-f]{16}_\\d+", "<table>").replaceAll("\\bsrc_\\d+\\b", "<table>");
    }

    private <T> T onPool(Callable<T> work, long deadlineNanos) {
        Future<T> f = pool.submit(work);
        try {
            if (deadlineNanos == Long.MAX_VALUE) {
                return f.get();
            }
            // Give the in-statement interrupt a moment to land before abandoning the wait.
            long wait = deadlineNanos - System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            return f.get(Math.max(wait, 0), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw failed(e);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new QueryException(ErrorCode.QUERY_TIMEOUT, "statement exceeded the query deadline");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.QUERY_TIMEOUT, "query cancelled");
        }
    }

    private static QueryException failed(ExecutionException e) {
        if (e.getCause() instanceof QueryException q) {
            return q;
        }
        if (e.getCause() instanceof SQLException s) {
            return translate(s);
        }
        return new QueryException(ErrorCode.INTERNAL, "execution failed: " + e.getCause(), Map.of(), e.getCause());
    }

    /**
     * Creating and dropping a table run to completion even when the caller is interrupted (a cancelled
     * query): abandoning either midway could leave a table nobody drops. Both take well under a millisecond.
     */
    private void bookkeeping(Callable<?> work) {
        try {
            awaitUninterruptibly(pool.submit(work));
        } catch (ExecutionException e) {
            throw failed(e);
        }
    }

    /** Waits for {@code f} through interrupts, and leaves the thread's interrupt status as it found it. */
    static <T> T awaitUninterruptibly(Future<T> f) throws ExecutionException {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        appendPool.shutdownNow();
        canceller.shutdownNow();
        try {
            root.close();
        } catch (SQLException e) {
            LOG.warning("closing DuckDB: " + e.getMessage());
        }
    }
}
