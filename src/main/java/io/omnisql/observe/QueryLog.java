package io.omnisql.observe;

import io.omnisql.cache.CacheOutcome;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.omnisql.error.ErrorCode;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes one JSON object per query to the java.util.logging logger {@value #LOGGER_NAME} at INFO: the message
 * of a text line, or the fields of a JSON line ({@code log_format: json}). Lines are written by one writer
 * thread, in the order recorded; {@link Telemetry#close()} writes what is still queued.
 * The entry type has no field for SQL text, tokens or headers, so none can leak into the log.
 */
public final class QueryLog {
    public static final String LOGGER_NAME = "omnisql.query";

    /** One table the query read: where it came from, how the cache answered, and the rows it gave. */
    public record TableRead(String table, String source, CacheOutcome cache, long rows) {
    }

    /**
     * @param subject      the authenticated principal's subject, or null when authentication failed
     * @param tables       tables read, empty when the query failed before fetching
     * @param resultRows   rows returned to the caller
     * @param elapsedNanos wall time from request start to answer
     * @param error        the error answered, or null on success
     * @param queueNanos   of {@code elapsedNanos}, the time spent queued (running cap, fetch slot, DuckDB lane)
     */
    public record Entry(String traceId, String subject, List<TableRead> tables, long resultRows,
                        long elapsedNanos, ErrorCode error, long queueNanos, Instant at) {
        public Entry {
            tables = List.copyOf(tables);
        }

        public Entry(String traceId, String subject, List<TableRead> tables, long resultRows, long elapsedNanos,
                     ErrorCode error, long queueNanos) {
            this(traceId, subject, tables, resultRows, elapsedNanos, error, queueNanos, null);
        }

        public Entry(String traceId, String subject, List<TableRead> tables, long resultRows, long elapsedNanos,
                     ErrorCode error) {
            this(traceId, subject, tables, resultRows, elapsedNanos, error, 0);
        }

        /** The entry stamped with when it was recorded (the line's {@code ts}). */
        Entry at(Instant when) {
            return new Entry(traceId, subject, tables, resultRows, elapsedNanos, error, queueNanos, when);
        }
    }

    /** Entries waiting for the writer; when full, callers write their own line (no entry is ever dropped). */
    private static final int QUEUE = 16_384;
    /** How long the writer rests when it finds nothing queued: the most a line waits behind its answer. */
    private static final long DRAIN_EVERY_NANOS = 5_000_000;
    private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();

    private static final Logger LOG = Logger.getLogger("omnisql.observe");
    private final Logger logger = Logger.getLogger(LOGGER_NAME);
    private volatile boolean enabled;
    private final InstantSource clock;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE);
    private volatile Thread writer;
    private volatile boolean closed;

    QueryLog(boolean enabled, InstantSource clock) {
        this.enabled = enabled;
        this.clock = clock;
    }

    /** Turns the query log on or off (observability.query_log, applied on reload). */
    void enabled(boolean on) {
        enabled = on;
    }

    /**
     * Queues the entry's line for the log's writer thread: formatting and console I/O (a lock every writer
     * shares) stay off the query's thread, and one thread writing meets no contention on that lock.
     */
    public void record(Entry entry) {
        if (!enabled || !logger.isLoggable(Level.INFO)) {
            return;
        }
        entry = entry.at(clock.instant());
        if (closed || !queue.offer(entry)) {
            write(entry);
        } else if (writer == null) {
            startWriter();
        }
    }

    private synchronized void startWriter() {
        if (writer == null && !closed) {
            writer = Thread.ofPlatform().daemon().name("omnisql-query-log").start(this::drain);
        }
    }

    /**
     * Writes queued lines in batches, looking every few milliseconds: producers never wake the writer (no
     * signal per line), which is what keeps the log cheap at thousands of queries a second.
     */
    private void drain() {
        List<Entry> batch = new ArrayList<>(256);
        while (!closed) {
            if (queue.drainTo(batch, 256) == 0) {
                LockSupport.parkNanos(DRAIN_EVERY_NANOS);
                continue;
            }
            for (Entry e : batch) {
                try {
                    write(e);
                } catch (RuntimeException failure) {
                    // A handler that throws loses its line, not the writer: later lines still go out.
                    LOG.log(Level.WARNING, "query log line not written: " + failure);
                }
            }
            batch.clear();
        } // closing: close() writes what is left
    }

    /** Writes what is queued and stops the writer; later entries are written by their callers. */
    void close() {
        Thread w;
        synchronized (this) {
            closed = true;
            w = writer;
        }
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Entry> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.forEach(this::write);
    }

    private void write(Entry entry) {
        // A JSON object as message: text lines show it as is, JSON lines carry its fields inline.
        new LogContext(entry.traceId(), null, true).log(logger, Level.INFO, json(entry), null);
    }

    /** The line, built by hand: the log writes one per query, and a generator per line cost more than the line. */
    static String json(Entry e) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"ts\":");
        string(b, e.at() == null ? null : e.at().toString());
        b.append(",\"trace_id\":");
        string(b, e.traceId());
        b.append(",\"subject\":");
        string(b, e.subject());
        b.append(",\"tables\":[");
        for (int i = 0; i < e.tables().size(); i++) {
            TableRead t = e.tables().get(i);
            b.append(i == 0 ? "{\"table\":" : ",{\"table\":");
            string(b, t.table());
            b.append(",\"source\":");
            string(b, t.source());
            b.append(",\"cache\":");
            string(b, t.cache().label());
            b.append(",\"rows\":").append(t.rows()).append('}');
        }
        b.append("],\"rows\":").append(e.resultRows());
        // Microsecond precision is plenty and keeps the line short.
        b.append(",\"latency_ms\":").append(Math.round(e.elapsedNanos() / 1_000.0) / 1_000.0);
        b.append(",\"queue_ms\":").append(Math.round(e.queueNanos() / 1_000.0) / 1_000.0);
        b.append(",\"status\":").append(e.error() == null ? 200 : e.error().status());
        b.append(",\"error\":");
        string(b, e.error() == null ? null : e.error().name());
        return b.append('}').toString();
    }

    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
        } else {
            b.append('"');
            QUOTE.quoteAsString(s, b);
            b.append('"');
        }
    }
}
