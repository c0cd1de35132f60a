package io.omnisql.ratelimit;

/** The shared store (Redis) could not answer in time; the caller falls back to its stricter local decision. */
public final class SharedStateUnavailable extends RuntimeException {
    public SharedStateUnavailable(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
