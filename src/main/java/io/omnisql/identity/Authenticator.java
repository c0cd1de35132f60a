package io.omnisql.identity;

import io.omnisql.error.QueryException;

/** Turns the {@code Authorization} header of a request into a principal, or refuses it. */
public interface Authenticator {
    /**
     * @param authorizationHeader the raw header value, or {@code null} when absent
     * @throws QueryException with {@code UNAUTHENTICATED} when the token is missing or invalid
     */
    Principal authenticate(String authorizationHeader);
}
