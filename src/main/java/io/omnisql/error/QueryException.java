package io.omnisql.error;

import java.util.Map;

/**
 * A failure that reaches the caller as {@code {"error":{"code","message","trace_id",...details}}}.
 * Details are extra fields of the error object (for example {@code retry_after_ms}, {@code source}).
 */
public final class QueryException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public QueryException(ErrorCode code, String message) {
        this(code, message, Map.of(), null);
    }

    public QueryException(ErrorCode code, String message, Map<String, Object> details) {
        this(code, message, details, null);
    }

    public QueryException(ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }
}
