package io.omnisql.gateway;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;
import io.omnisql.exec.Lane;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One query, sync or async, from admission to its end: what it is doing, what each source has delivered so
 * far, and its answer once done. {@link #cancel()} is the cancellation seam (DELETE /v1/queries/{id}, a
 * Postgres cancel request, a client that went away): upstream requests in flight are abandoned, its DuckDB
 * statement is interrupted and its principal's slot is released as the query unwinds.
 */
public final class QueryHandle {
    private final String id;
    private final String subject;
    private final String sql;
    private final boolean async;
    private final Instant submittedAt;
    private final long startNanos;
    private final Map<String, SourceProgress> sources = new ConcurrentHashMap<>();
    private QueryState state = QueryState.QUEUED;
    private Lane lane;
    private long queueNanos;
    private long endNanos;
    private Thread runner;
    private boolean cancelRequested;
    private QueryAnswer answer;
    private QueryException failure;

    /** Progress of one table reference's fetch: pages and rows read so far and time spent waiting upstream. */
    public record SourceProgress(String table, String source, long pages, long rows, long upstreamNanos) {
    }

    /** What {@link QueryHandle#snapshot()} shows. */
    public record View(String id, String subject, String sql, boolean async, Instant submittedAt, QueryState state,
                       Lane lane, long elapsedMs, long queueMs, List<SourceProgress> sources, QueryAnswer answer,
                       QueryException failure) {
    }

    QueryHandle(String id, String subject, String sql, boolean async, Instant submittedAt) {
        this.id = id;
        this.subject = subject;
        this.sql = sql;
        this.async = async;
        this.submittedAt = submittedAt;
        this.startNanos = System.nanoTime();
    }

    public String id() {
        return id;
    }

    public String subject() {
        return subject;
    }

    public boolean async() {
        return async;
    }

    /** Asks the query to stop; true when it was still running. A finished query is left as it is. */
    public synchronized boolean cancel() {
        if (state.done()) {
            return false;
        }
        cancelRequested = true;
        if (runner != null) {
            runner.interrupt();
        }
        return true;
    }

    public synchronized boolean cancelRequested() {
        return cancelRequested;
    }

    public synchronized View snapshot() {
        long end = state.done() ? endNanos : System.nanoTime();
        List<SourceProgress> progress = new ArrayList<>(sources.values());
        progress.sort(java.util.Comparator.comparing(SourceProgress::table));
        return new View(id, subject, sql, async, submittedAt, state, lane, (end - startNanos) / 1_000_000,
                queueNanos / 1_000_000, progress, answer, failure);
    }

    public synchronized QueryState state() {
        return state;
    }

    synchronized long queueNanos() {
        return queueNanos;
    }

    synchronized boolean isDone() {
        return state.done();
    }

    /** Binds the thread the query runs on (interrupted by {@link #cancel()}); fails at once if already cancelled. */
    synchronized void runOn(Thread thread) {
        if (cancelRequested) {
            throw cancelled();
        }
        runner = thread;
    }

    synchronized void moveTo(QueryState next) {
        if (!state.done()) {
            state = next;
        }
        if (cancelRequested) {
            throw cancelled();
        }
    }

    synchronized void queued(long nanos) {
        queueNanos += nanos;
    }

    synchronized void started(Lane lane, long queuedNanos) {
        this.lane = lane;
        this.queueNanos += queuedNanos;
        if (!state.done()) {
            state = QueryState.EXECUTING;
        }
    }

    void page(String table, String source, long rows, long nanos) {
        sources.merge(table, new SourceProgress(table, source, 1, rows, nanos), (a, b) -> new SourceProgress(
                a.table(), a.source(), a.pages() + 1, a.rows() + b.rows(), a.upstreamNanos() + b.upstreamNanos()));
    }

    /**
     * Ends the query with its answer or failure, unbinds its thread and clears an interrupt that a late cancel
     * left on it. A failure after a cancel request is reported as QUERY_CANCELLED.
     */
    synchronized QueryException finish(QueryAnswer answer, QueryException failure) {
        if (runner == Thread.currentThread()) {
            Thread.interrupted();
        }
        runner = null;
        endNanos = System.nanoTime();
        if (failure != null && cancelRequested) {
            failure = cancelled();
        }
        this.answer = answer;
        this.failure = failure;
        state = failure == null ? QueryState.FINISHED
                : failure.code() == ErrorCode.QUERY_CANCELLED ? QueryState.CANCELLED : QueryState.FAILED;
        return failure;
    }

    /** Drops the answer's rows once nobody can fetch them any more. */
    synchronized long weight() {
        if (!state.done()) {
            return 0; // a running query is never evicted for space
        }
        if (answer == null) {
            return 1;
        }
        return 1 + (long) answer.result().rows().size() * Math.max(1, answer.result().columns().size()) * 16;
    }

    private QueryException cancelled() {
        return new QueryException(ErrorCode.QUERY_CANCELLED, "query " + id + " was cancelled");
    }
}
