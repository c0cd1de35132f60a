package io.omnisql.observe;

import io.omnisql.cache.CacheOutcome;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.omnisql.error.ErrorCode;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes one JSON object per query to the java.util.logging logger {@value #LOGGER_NAME} at INFO: the message
 * of a text line, or the fields of a JSON line ({@code log_format: json}).
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
                        long elapsedNanos, ErrorCode error, long queueNanos) {
        public Entry {
            tables = List.copyOf(tables);
        }

        public Entry(String traceId, String subject, List<TableRead> tables, long resultRows, long elapsedNanos,
                     ErrorCode error) {
            this(traceId, subject, tables, resultRows, elapsedNanos, error, 0);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final Logger logger = Logger.getLogger(LOGGER_NAME);
    private volatile boolean enabled;
    private final InstantSource clock;

    QueryLog(boolean enabled, InstantSource clock) {
        this.enabled = enabled;
        this.clock = clock;
    }

    /** Turns the query log on or off (observability.query_log, applied on reload). */
    void enabled(boolean on) {
        enabled = on;
    }

    public void record(Entry entry) {
        if (enabled && logger.isLoggable(Level.INFO)) {
            // A JSON object as message: text lines show it as is, JSON lines carry its fields inline.
            new LogContext(entry.traceId(), null, true).log(logger, Level.INFO, json(entry), null);
        }
    }

    private String json(Entry e) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("ts", clock.instant().toString());
            g.writeStringField("trace_id", e.traceId());
            g.writeStringField("subject", e.subject());
            g.writeArrayFieldStart("tables");
            for (TableRead t : e.tables()) {
                g.writeStartObject();
                g.writeStringField("table", t.table());
                g.writeStringField("source", t.source());
                g.writeStringField("cache", t.cache().label());
                g.writeNumberField("rows", t.rows());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("rows", e.resultRows());
            // Microsecond precision is plenty and keeps the line short.
            g.writeNumberField("latency_ms", Math.round(e.elapsedNanos() / 1_000.0) / 1_000.0);
            g.writeNumberField("queue_ms", Math.round(e.queueNanos() / 1_000.0) / 1_000.0);
            g.writeNumberField("status", e.error() == null ? 200 : e.error().status());
            g.writeStringField("error", e.error() == null ? null : e.error().name());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toString();
    }
}
