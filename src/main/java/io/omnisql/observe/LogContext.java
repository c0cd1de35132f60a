package io.omnisql.observe;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What a log line knows beyond its message, passed as the record's only parameter (java.util.logging has no
 * MDC, and the gateway keeps no thread-local trace state): the trace and span it belongs to, and for structured
 * lines such as the query log, the message itself being a JSON object whose fields a JSON line carries inline.
 *
 * @param traceId null when the line belongs to no trace
 * @param spanId  null when unknown
 */
public record LogContext(String traceId, String spanId, boolean jsonMessage) {

    /** A plain message about work inside a trace. */
    public static LogContext of(String traceId, String spanId) {
        return new LogContext(traceId, spanId, false);
    }

    /** Logs {@code message} with this context; {@code thrown} may be null. */
    public void log(Logger logger, Level level, String message, Throwable thrown) {
        if (!logger.isLoggable(level)) {
            return;
        }
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(logger.getName());
        r.setParameters(new Object[] {this});
        r.setThrown(thrown);
        // Set so JUL does not walk the stack to infer them for every line.
        r.setSourceClassName(logger.getName());
        r.setSourceMethodName("");
        logger.log(r);
    }

    /** The context a record carries, or null. */
    static LogContext of(LogRecord record) {
        Object[] params = record.getParameters();
        return params != null && params.length == 1 && params[0] instanceof LogContext c ? c : null;
    }
}
