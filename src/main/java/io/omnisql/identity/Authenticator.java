package io.omnisql.identity;

import io.omnisql.error.QueryException;

/** Turns the {@code Authorization} header of a request into a principal, or refuses it. */
public interface Authenticator {
    /**
     * @param authorizationHeader the raw header value, or {@code null} when absent
     * @throws QueryException with {@code UNAUTHENTICATED} when the token is missing or invalid
     */
    Principal authenticate(String authorizationHeader);

    /**
     * The {@code WWW-Authenticate} value for a 401 answer to an {@code UNAUTHENTICATED} failure:
     * {@code Bearer realm="omnisql", error="invalid_token", error_description="..."}, or just
     * {@code Bearer realm="omnisql"} when the request carried no bearer token (RFC 6750 section 3.1).
     */
    static String challenge(QueryException e) {
        return Unauthenticated.challenge(e);
    }
}
