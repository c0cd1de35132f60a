package io.omnisql.pgwire;

import io.omnisql.error.QueryException;

/** An error answered to the client: SQLSTATE, message (led by the gateway's code), and whether it ends the session. */
final class WireError extends RuntimeException {
    final String sqlState;
    final String detail;
    final boolean fatal;

    WireError(String sqlState, String message, String detail, boolean fatal) {
        super(message, null, false, false);
        this.sqlState = sqlState;
        this.detail = detail;
        this.fatal = fatal;
    }

    WireError(String sqlState, String message) {
        this(sqlState, message, null, false);
    }

    static WireError of(QueryException e, String traceId) {
        return new WireError(SqlStates.of(e.code()), e.code().name() + ": " + e.getMessage(),
                traceId == null ? null : "trace_id: " + traceId, false);
    }
}
