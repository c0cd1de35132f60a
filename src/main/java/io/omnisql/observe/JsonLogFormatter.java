package io.omnisql.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line for a log pipeline: {@code timestamp} (ISO-8601 UTC), {@code level}, {@code logger},
 * {@code message}, {@code trace_id}/{@code span_id} when the line belongs to a trace, {@code exception} with the
 * stack trace when one was logged. A structured line (the query log) has its fields inline and message "query".
 */
final class JsonLogFormatter extends Formatter {
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String format(LogRecord record) {
        LogContext context = LogContext.of(record);
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", record.getInstant().toString());
            g.writeStringField("level", record.getLevel().getName());
            g.writeStringField("logger", record.getLoggerName());
            boolean inline = context != null && context.jsonMessage() && record.getMessage().startsWith("{")
                    && record.getMessage().endsWith("}");
            g.writeStringField("message", inline ? shortName(record.getLoggerName()) : formatMessage(record));
            if (context != null && context.traceId() != null) {
                g.writeStringField("trace_id", context.traceId());
            }
            if (context != null && context.spanId() != null) {
                g.writeStringField("span_id", context.spanId());
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                g.writeStringField("exception", trace.toString());
            }
            if (inline) {
                String body = record.getMessage().substring(1, record.getMessage().length() - 1).trim();
                if (!body.isEmpty()) {
                    // The structured message is a JSON object written by the gateway; its fields join this line.
                    g.writeRaw(',');
                    g.writeRaw(body);
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append(System.lineSeparator()).toString();
    }

    /** {@code omnisql.query} -> {@code query}. */
    private static String shortName(String logger) {
        return logger == null ? "" : logger.substring(logger.lastIndexOf('.') + 1);
    }
}
