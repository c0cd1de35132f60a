package io.omnisql.pgwire;

import io.omnisql.error.ErrorCode;

/** The SQLSTATE a gateway error code is answered with over the wire (the code itself leads the message). */
final class SqlStates {
    static final String QUERY_CANCELED = "57014";
    static final String PROTOCOL_VIOLATION = "08P01";
    static final String INVALID_PASSWORD = "28P01";
    static final String INVALID_AUTHORIZATION = "28000";
    static final String INVALID_PARAMETER_VALUE = "22023";
    static final String UNDEFINED_OBJECT = "42704";
    static final String FEATURE_NOT_SUPPORTED = "0A000";
    static final String IN_FAILED_TRANSACTION = "25P02";
    static final String INVALID_STATEMENT_NAME = "26000";
    static final String INVALID_CURSOR_NAME = "34000";

    private SqlStates() {
    }

    static String of(ErrorCode code) {
        return switch (code.name()) {
            case "ENTITLEMENT_DENIED" -> "42501";
            case "RATE_LIMIT_EXHAUSTED" -> "53400";
            case "SOURCE_TIMEOUT", "QUERY_TIMEOUT", "QUERY_CANCELLED" -> QUERY_CANCELED;
            case "SQL_SYNTAX" -> "42601";
            case "UNKNOWN_TABLE" -> "42P01";
            case "UNKNOWN_COLUMN" -> "42703";
            case "UNSUPPORTED_STATEMENT" -> FEATURE_NOT_SUPPORTED;
            case "UNAUTHENTICATED" -> INVALID_AUTHORIZATION;
            case "BAD_REQUEST" -> INVALID_PARAMETER_VALUE;
            case "PAYLOAD_TOO_LARGE" -> "54000";
            case "OVERLOADED" -> "53000";
            case "SOURCE_ERROR" -> "58030";
            case "STALE_DATA" -> "58000";
            // Codes added later fall into a class by their HTTP status: the client's fault or ours.
            default -> code.status() < 500 ? "42000" : "XX000";
        };
    }
}
