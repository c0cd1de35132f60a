package io.omnisql.http;

import io.omnisql.error.QueryException;
import java.util.Map;

/** The error body of every failure: {@code {"error":{"code","message","trace_id",...details}}}. */
final class ApiError {
    private ApiError() {
    }

    static byte[] body(QueryException e, String traceId) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeFieldName("error");
            write(g, e, traceId);
            g.writeEndObject();
        });
    }

    /** The error object itself: {@code {"code","message","trace_id",...details}}. */
    static void write(com.fasterxml.jackson.core.JsonGenerator g, QueryException e, String traceId) throws java.io.IOException {
        {
            g.writeStartObject();
            g.writeStringField("code", e.code().name());
            g.writeStringField("message", e.getMessage());
            if (traceId != null) {
                g.writeStringField("trace_id", traceId);
            }
            for (Map.Entry<String, Object> d : e.details().entrySet()) {
                g.writeFieldName(d.getKey());
                Json.value(g, d.getValue());
            }
            g.writeEndObject();
        }
    }
}
