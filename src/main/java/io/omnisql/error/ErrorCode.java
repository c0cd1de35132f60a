package io.omnisql.error;

/** The gateway's error vocabulary: every error answer carries one of these codes and its status. */
public enum ErrorCode {
    BAD_REQUEST(400),
    SQL_SYNTAX(400),
    SQL_TOO_COMPLEX(400),
    UNSUPPORTED_STATEMENT(400),
    UNKNOWN_TABLE(400),
    UNKNOWN_COLUMN(400),
    UNAUTHENTICATED(401),
    ENTITLEMENT_DENIED(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    /** An async query's answer was kept for its retention time and is gone. */
    GONE(410),
    PAYLOAD_TOO_LARGE(413),
    RATE_LIMIT_EXHAUSTED(429),
    INTERNAL(500),
    SOURCE_ERROR(502),
    STALE_DATA(503),
    OVERLOADED(503),
    /** /health/ready: a readiness check (configuration, engine, Redis) is failing. */
    NOT_READY(503),
    SOURCE_TIMEOUT(504),
    QUERY_TIMEOUT(504),
    /** The query was cancelled (DELETE /v1/queries/{id}, a Postgres cancel request, a client that went away). */
    QUERY_CANCELLED(499);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
