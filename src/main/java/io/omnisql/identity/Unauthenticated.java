package io.omnisql.identity;

import io.omnisql.error.ErrorCode;
import io.omnisql.error.QueryException;

import java.util.Map;

/** Builds the {@code UNAUTHENTICATED} failures and their {@code WWW-Authenticate} challenge (RFC 6750). */
final class Unauthenticated {
    /** Detail key telling the challenge which RFC 6750 error applies. */
    static final String AUTH_ERROR = "auth_error";
    static final String MISSING_TOKEN = "missing_token";
    static final String INVALID_TOKEN = "invalid_token";
    private static final int MAX_ECHO = 64;

    private Unauthenticated() {
    }

    /** A rejected token; {@code reason} must never contain the token itself. */
    static QueryException because(String reason) {
        return new QueryException(ErrorCode.UNAUTHENTICATED, reason, Map.of(AUTH_ERROR, INVALID_TOKEN));
    }

    /** No bearer credentials at all: RFC 6750 says the challenge then carries no error code. */
    static QueryException missing(String reason) {
        return new QueryException(ErrorCode.UNAUTHENTICATED, reason, Map.of(AUTH_ERROR, MISSING_TOKEN));
    }

    /** Caller-controlled text (a kid, an alg) made safe and short enough to echo in a message. */
    static String printable(String s) {
        String cut = s.length() > MAX_ECHO ? s.substring(0, MAX_ECHO) + "..." : s;
        return cut.replaceAll("[^A-Za-z0-9._:/+=-]", "?");
    }

    static String challenge(QueryException e) {
        if (MISSING_TOKEN.equals(e.details().get(AUTH_ERROR))) {
            return "Bearer realm=\"omnisql\"";
        }
        return "Bearer realm=\"omnisql\", error=\"invalid_token\", error_description=\""
                + quotedText(e.getMessage()) + "\"";
    }

    /** RFC 6750 limits error_description to printable ASCII without {@code "} and {@code \}. */
    private static String quotedText(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            out.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '\'');
        }
        return out.toString();
    }
}
