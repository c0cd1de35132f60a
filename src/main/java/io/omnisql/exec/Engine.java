package io.omnisql.exec;

import io.omnisql.config.Catalog.ColumnDef;
import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.duckdb.DuckDBConnection;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * One embedded in-memory DuckDB per gateway. Source data is loaded once per fetch into a table of its own
 * (through the Appender, page by page while the fetch runs: {@link TableWriter}) and shared by every query
 * that may read it; each statement runs on a fresh connection on platform threads, because DuckDB's native
 * calls pin a virtual thread's carrier and would stall the HTTP server's other requests.
 *
 * <p>Statements run in two {@link Lane lanes} with slots of their own, so cheap statements never queue behind
 * expensive ones: a statement starts in the short lane unless its shape last ran past the short lane's budget
 * or, never seen, its estimated input (the product of its tables' rows) is above the short lane's maximum; a
 * short-lane statement still running at the budget moves to the long lane and frees its short slot. Waiters of
 * a lane are served round-robin across tenants ({@link FairPermits}). DuckDB's {@code threads} setting bounds
 * the worker threads all statements share, so one statement uses at most that many cores.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("omnisql.exec");
    private final DuckDBConnection root;
    /** Runs statements; at most short + long + short (demoted) slots' worth at once, bounded by the lanes. */
    private final ExecutorService pool;
    /** Creates and drops tables: never queued behind statements. */
    private final ExecutorService bookkeeper;
    private final ScheduledExecutorService canceller;
    /** Appends of tables being loaded; separate from {@code pool} so slow statements never hold up a load. */
    private final ExecutorService appendPool;
    private final AtomicLong tableIds = new AtomicLong();
    private static final long STATEMENT_STACK_BYTES = 16L << 20;
    /** Prefix of the engine's tables of cached source data; statements never name them (see StatementGuard). */
    public static final String TABLE_PREFIX = "src_";
    private static final Pattern VIEW_NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private final FairPermits shortLane;
    private final FairPermits longLane;
    private volatile Lanes lanes;
    /** How long each statement shape last ran (ms): the lane decision prefers it to the estimate. */
    private final Cache<String, Long> shapeMillis = Caffeine.newBuilder().maximumSize(10_000).build();
    private final LongAdder demotions = new LongAdder();

    /**
     * @param threads     DuckDB worker threads (the whole engine; one statement uses at most this many)
     * @param memoryLimit DuckDB's memory limit (the whole engine)
     */
    public record Settings(int threads, String memoryLimit, Lanes lanes) {
    }

    /**
     * The execution lanes: slots per lane, the short lane's time budget and its estimate ceiling.
     */
    public record Lanes(int shortSlots, long shortBudgetMs, long shortMaxInputRows, int longSlots) {
        public static final Lanes DEFAULT = new Lanes(2, 250, 100_000_000, 1);

        public Lanes {
            if (shortSlots < 1 || longSlots < 1 || shortBudgetMs < 1 || shortMaxInputRows < 1) {
                throw new IllegalArgumentException("lane settings must be positive");
            }
        }
    }

    /** A lane's load now: statements running in it, statements waiting for it, and its slots. */
    public record LaneLoad(int running, int queued, int slots) {
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
        lanes = settings.lanes();
        shortLane = new FairPermits(lanes.shortSlots());
        longLane = new FairPermits(lanes.longSlots());
        pool = Executors.newCachedThreadPool(daemons("omnisql-duckdb-"));
        bookkeeper = Executors.newSingleThreadExecutor(daemons("omnisql-duckdb-ddl-"));
        appendPool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemons("omnisql-duckdb-append-"));
        canceller = Executors.newSingleThreadScheduledExecutor(daemons("omnisql-duckdb-deadline-"));
    }

    private static java.util.concurrent.ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            // DuckDB binds and plans on the calling thread's native stack: with the default 1 MiB, an expression
            // some 800 operators deep overflowed it and killed the JVM (SIGSEGV). 16 MiB holds DuckDB's own limit.
            Thread t = new Thread(null, r, prefix + n.incrementAndGet(), STATEMENT_STACK_BYTES);
            t.setDaemon(true);
            return t;
        };
    }

    /** Adopts new lane settings (configuration reload); a shrink drains through statements already running. */
    public void update(Lanes next) {
        lanes = next;
        shortLane.resize(next.shortSlots());
        longLane.resize(next.longSlots());
    }

    public LaneLoad load(Lane lane) {
        FairPermits p = lane == Lane.SHORT ? shortLane : longLane;
        return new LaneLoad(p.inUse(), p.queued(), p.capacity());
    }

    /** Short-lane statements moved to the long lane for outliving the short budget, since start. */
    public long demotions() {
        return demotions.sum();
    }

    /**
     * Creates a new shared table for one fetch and returns its writer: pages are appended as they arrive; the
     * caller owns the finished table and must {@link #drop} it.
     */
    public TableWriter create(List<ColumnDef> columns) {
        String name = TABLE_PREFIX + tableIds.incrementAndGet();
        bookkeeping(() -> {
            try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + name + " " + columnList(columns));
            }
            return null;
        });
        return new TableWriter(name, columns.size(), this::connection, appendPool, this::dropTable);
    }

    /** {@code ("a" VARCHAR, "b" BIGINT)}: catalog column names (identifiers, quoted) with their types. */
    private static String columnList(List<ColumnDef> columns) {
        StringBuilder ddl = new StringBuilder("(");
        for (int i = 0; i < columns.size(); i++) {
            ddl.append(i == 0 ? "" : ", ").append('"').append(columns.get(i).name().replace("\"", "\"\"")).append("\" ")
                    .append(columns.get(i).type().name());
        }
        return ddl.append(')').toString();
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

    /**
     * Whether DuckDB answers {@code SELECT 1} within {@code timeoutMs}: the readiness check. It runs beside table
     * bookkeeping, not in a statement lane, so busy lanes (reported by their own gauges and OVERLOADED answers)
     * do not take the instance out of rotation; a wedged engine does.
     */
    public boolean answers(long timeoutMs) {
        Future<Boolean> f = bookkeeper.submit(() -> {
            try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next() && rs.getInt(1) == 1;
            }
        });
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | RuntimeException e) {
            f.cancel(true);
            return false;
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Names of the tables currently held (for tests and diagnostics: nothing but cached source data). */
    public List<String> tables() {
        return await(bookkeeper.submit(() -> {
            try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT table_name FROM duckdb_tables() ORDER BY table_name")) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }));
    }

    /** {@link #query(String, long, int, long, Job)} for a statement nobody in particular asked for. */
    public QueryResult query(String sql, long deadlineNanos, int maxRows, long maxBytes) {
        return query(sql, deadlineNanos, maxRows, maxBytes, Job.anonymous(sql));
    }

    /**
     * Runs one statement on its own connection in its lane, interrupted at the deadline or when the calling
     * thread is interrupted (a cancelled query); its slot is free as soon as DuckDB has stopped. Reading stops
     * after {@code maxRows} rows or once the rows' estimated JSON size passes {@code maxBytes}, whichever comes
     * first.
     *
     * @throws QueryException QUERY_TIMEOUT past the deadline (waiting for a slot included); QUERY_CANCELLED when
     *                        interrupted; UNKNOWN_COLUMN or BAD_REQUEST when DuckDB rejects it
     */
    public QueryResult query(String sql, long deadlineNanos, int maxRows, long maxBytes, Job job) {
        return query(sql, Map.of(), deadlineNanos, maxRows, maxBytes, job);
    }

    /** {@link #query(String, Map, long, int, long, Job)} for a statement nobody in particular asked for. */
    public QueryResult query(String sql, Map<String, String> views, long deadlineNanos, int maxRows, long maxBytes) {
        return query(sql, views, deadlineNanos, maxRows, maxBytes, Job.anonymous(sql));
    }

    /**
     * {@link #query(String, long, int, long, Job)} over per-query views: each entry of {@code views} (name ->
     * SELECT body) becomes a temporary view of the statement's own connection, seen by no other statement and
     * gone with it.
     */
    public QueryResult query(String sql, Map<String, String> views, long deadlineNanos, int maxRows, long maxBytes,
                             Job job) {
        checkViewNames(views.keySet());
        return onLane(job, deadlineNanos, true, (running, config) ->
                execute(sql, "", views, deadlineNanos, maxRows, maxBytes, false, running, config));
    }

    /**
     * Binds {@code sql} without running it: each entry of {@code standIns} (name -> columns) becomes an empty
     * temporary table of the check's own connection, each of {@code views} a temporary view (reading those), and
     * DuckDB prepares the statement. A statement DuckDB would refuse (an unknown column, a type mismatch, a
     * GROUP BY it cannot bind) fails here with the error running it would give, before any data is fetched for it.
     *
     * @throws QueryException as {@link #query(String, Map, long, int, long, Job)} would
     */
    public void bindCheck(String sql, Map<String, List<ColumnDef>> standIns, Map<String, String> views,
                          long deadlineNanos, Job job) {
        checkViewNames(standIns.keySet());
        checkViewNames(views.keySet());
        StringBuilder tables = new StringBuilder();
        standIns.forEach((name, columns) -> tables.append("CREATE TEMP TABLE ").append(name).append(' ')
                .append(columnList(columns)).append(";\n"));
        onLane(job, deadlineNanos, false, (running, config) ->
                execute(sql, tables.toString(), views, deadlineNanos, 0, 0, true, running, config));
    }

    private static void checkViewNames(java.util.Set<String> names) {
        names.forEach(name -> {
            if (!VIEW_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("not a view name: " + name);
            }
        });
    }

    /** Work for a DuckDB platform thread, with the statement's cancellation handle and the lanes in force. */
    private interface Work {
        QueryResult run(Running running, Lanes config) throws SQLException;
    }

    /**
     * Runs {@code work} on the engine's pool in {@code job}'s lane, interrupted at the deadline or when the calling
     * thread is interrupted; {@code timed}: whether its duration teaches the lane choice about the job's shape.
     */
    private QueryResult onLane(Job job, long deadlineNanos, boolean timed, Work work) {
        Lanes config = lanes;
        Lane lane = laneOf(job, config);
        FairPermits permits = lane == Lane.SHORT ? shortLane : longLane;
        long queuedAt = System.nanoTime();
        try {
            if (!permits.acquire(job.tenant(), deadlineNanos - queuedAt)) {
                throw new QueryException(ErrorCode.QUERY_TIMEOUT, "the query deadline passed while waiting for a "
                        + lane.label() + "-lane DuckDB slot", Map.of("lane", lane.label()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.QUERY_CANCELLED, "query cancelled while queued for DuckDB");
        }
        Running running = new Running(lane);
        job.listener().started(lane, System.nanoTime() - queuedAt);
        Future<QueryResult> f;
        try {
            f = pool.submit(() -> {
                long start = System.nanoTime();
                boolean completed = false;
                try {
                    QueryResult result = work.run(running, config);
                    completed = true;
                    return result;
                } finally {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    // A statement stopped early says nothing about its shape, unless it had already run long.
                    if (timed && (completed || ms > config.shortBudgetMs())) {
                        shapeMillis.put(job.shape(), ms);
                    }
                    running.release();
                }
            });
        } catch (RuntimeException e) {
            running.release();
            throw e;
        }
        try {
            // Give the in-statement interrupt a moment to land before abandoning the wait.
            long wait = deadlineNanos - System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            return f.get(Math.max(wait, 0), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw failed(e);
        } catch (TimeoutException e) {
            running.interrupt();
            throw new QueryException(ErrorCode.QUERY_TIMEOUT, "statement exceeded the query deadline");
        } catch (InterruptedException e) {
            running.interrupt();
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.QUERY_CANCELLED, "query cancelled; its DuckDB statement was interrupted");
        }
    }

    /** The lane a statement starts in: by how its shape last ran, else by its estimated input. */
    private Lane laneOf(Job job, Lanes config) {
        Long lastMs = shapeMillis.getIfPresent(job.shape());
        if (lastMs != null) {
            return lastMs > config.shortBudgetMs() ? Lane.LONG : Lane.SHORT;
        }
        return job.estimatedRows() > config.shortMaxInputRows() ? Lane.LONG : Lane.SHORT;
    }

    /** A statement holding a lane slot: it can move to the long lane, be interrupted, and frees its slot once. */
    private final class Running {
        private Lane lane;
        private Statement statement;
        private volatile boolean interrupted;
        private boolean released;

        Running(Lane lane) {
            this.lane = lane;
        }

        synchronized void started(Statement s) throws SQLException {
            statement = s;
            if (interrupted) {
                s.cancel();
            }
        }

        /** Past the short budget: take a long slot (even past its capacity, up to one more short lane's worth). */
        synchronized void demote(Lanes config) {
            if (lane == Lane.SHORT && !released && longLane.force(longLane.capacity() + config.shortSlots())) {
                lane = Lane.LONG;
                shortLane.release();
                demotions.increment();
            }
        }

        /**
         * Interrupts the statement, and keeps interrupting it until it has ended: DuckDB forgets an interrupt
         * that lands before its query has begun, which would let the statement run on to its deadline.
         */
        synchronized void interrupt() {
            if (interrupted || released) {
                return;
            }
            interrupted = true;
            if (statement != null) {
                cancelQuietly(statement);
            }
            ScheduledFuture<?>[] repeat = {null};
            repeat[0] = canceller.scheduleWithFixedDelay(() -> {
                synchronized (this) {
                    if (released) {
                        repeat[0].cancel(false);
                    } else if (statement != null) {
                        cancelQuietly(statement);
                    }
                }
            }, 10, 10, TimeUnit.MILLISECONDS);
        }

        synchronized void release() {
            if (!released) {
                released = true;
                (lane == Lane.SHORT ? shortLane : longLane).release();
            }
        }
    }

    /**
     * Runs {@code sql} on a connection of its own after {@code standInDdl} and its views; {@code prepareOnly} (a
     * bind check) only prepares it, and the answer is null.
     */
    private QueryResult execute(String sql, String standInDdl, Map<String, String> views, long deadlineNanos,
                                int maxRows, long maxBytes, boolean prepareOnly, Running running, Lanes config)
            throws SQLException {
        try (DuckDBConnection c = (DuckDBConnection) root.duplicate(); Statement s = c.createStatement()) {
            long delay = deadlineNanos - System.nanoTime();
            if (delay <= 0) {
                throw new QueryException(ErrorCode.QUERY_TIMEOUT, "query deadline reached before execution");
            }
            running.started(s);
            ScheduledFuture<?> cancel = canceller.schedule(running::interrupt, delay, TimeUnit.NANOSECONDS);
            ScheduledFuture<?> demote = canceller.schedule(() -> running.demote(config), config.shortBudgetMs(),
                    TimeUnit.MILLISECONDS);
            try {
                if (!views.isEmpty() || !standInDdl.isEmpty()) { // one round trip for all of them
                    StringBuilder ddl = new StringBuilder(standInDdl);
                    views.forEach((name, body) -> ddl.append("CREATE TEMP VIEW ").append(name).append(" AS ").append(body).append(";\n"));
                    s.execute(ddl.toString());
                }
            } catch (SQLException e) {
                cancel.cancel(false);
                demote.cancel(false);
                throw translate(e);
            }
            try {
                if (prepareOnly) {
                    c.prepareStatement(sql).close(); // binds the statement; nothing runs
                    return null;
                }
                try (ResultSet rs = s.executeQuery(sql)) {
                    return read(rs, maxRows, maxBytes);
                }
            } catch (SQLException e) {
                if (System.nanoTime() >= deadlineNanos) {
                    throw new QueryException(ErrorCode.QUERY_TIMEOUT, "statement exceeded the query deadline");
                }
                if (running.interrupted || String.valueOf(e.getMessage()).contains("INTERRUPT")) {
                    throw new QueryException(ErrorCode.QUERY_CANCELLED, "query cancelled; its DuckDB statement was interrupted");
                }
                throw translate(e);
            } finally {
                cancel.cancel(false);
                demote.cancel(false);
            }
        }
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
                row[i] = CellValues.of(rs.getObject(i + 1), cols.get(i).type());
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
            case Map<?, ?> map -> {
                long size = 2 + Math.max(0, map.size() - 1);
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    size += String.valueOf(e.getKey()).length() + 3 + jsonSize(e.getValue());
                }
                yield size;
            }
            default -> v.toString().length();
        };
    }

    /**
     * DuckDB's error in the gateway's vocabulary, first line only, with every internal name scrubbed: the
     * engine's tables and per-query views become {@code <table>}, and suggestions ("Did you mean ...",
     * candidate lists), which can name DuckDB's own relations or functions, are dropped.
     */
    static QueryException translate(SQLException e) {
        String msg = String.valueOf(e.getMessage());
        String first = scrub(msg.lines().findFirst().orElse(msg));
        // "Referenced table t not found" is DuckDB's answer to t.c when t (or its column c) is not in scope.
        if (msg.contains("Referenced column") || msg.contains("Referenced table") || msg.contains("not found in FROM clause")
                || (msg.contains("Binder Error") && msg.contains("column"))) {
            return new QueryException(ErrorCode.UNKNOWN_COLUMN, first);
        }
        if (msg.contains("Parser Error")) {
            return new QueryException(ErrorCode.SQL_SYNTAX, first);
        }
        if (msg.contains("Catalog Error") && msg.contains("Table with name")) {
            return new QueryException(ErrorCode.UNKNOWN_TABLE, first);
        }
        if (msg.contains("Permission Error") || msg.contains("disabled") || msg.contains("Catalog Error")) {
            return new QueryException(ErrorCode.UNSUPPORTED_STATEMENT, first);
        }
        return new QueryException(ErrorCode.BAD_REQUEST, first);
    }

    private static final Pattern INTERNAL_NAME = Pattern.compile(
            "(?:\"?[A-Za-z_][A-Za-z0-9_]*\"?\\.)*\"?(?:omni_[0-9a-f]+_\\d+|" + TABLE_PREFIX + "\\d+)\"?");
    private static final Pattern SUGGESTION = Pattern.compile("(?i)\\s*(?:Did you mean|Candidate (?:bindings|tables|functions)).*$");

    /** The message without internal relation names or suggestions; exposed for the tests that pin it. */
    static String scrub(String message) {
        return INTERNAL_NAME.matcher(SUGGESTION.matcher(message).replaceAll("")).replaceAll("<table>");
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw failed(e);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new QueryException(ErrorCode.QUERY_CANCELLED, "cancelled");
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
            awaitUninterruptibly(bookkeeper.submit(work));
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
        bookkeeper.shutdownNow();
        appendPool.shutdownNow();
        canceller.shutdownNow();
        try {
            root.close();
        } catch (SQLException e) {
            LOG.warning("closing DuckDB: " + e.getMessage());
        }
    }
}
