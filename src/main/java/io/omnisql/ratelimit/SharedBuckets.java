package io.omnisql.ratelimit;

/**
 * Token buckets kept outside this process, so several gateway replicas draw from one bucket per key. Every
 * method may throw {@link SharedStateUnavailable}; the {@link RateLimiter} then decides locally at the fleet
 * limit divided by {@link #replicas()}, which can never let more through than one fleet would.
 */
public interface SharedBuckets {
    /** Outcome of {@link #take}: granted after {@code waitNanos} (0 = now), or refused until then. */
    record Decision(boolean granted, long waitNanos) {
    }

    /**
     * Takes one token from the bucket {@code key} of shape {@code spec} if it is available within
     * {@code maxWaitNanos} (0 = only now). A source bucket also honours a pause set by {@link #pause}.
     *
     * @throws SharedStateUnavailable when the shared store cannot decide
     */
    Decision take(String key, BucketSpec spec, long maxWaitNanos);

    /**
     * Whole tokens the bucket {@code key} holds now, taking none (for explain's figures).
     *
     * @throws SharedStateUnavailable when the shared store cannot answer
     */
    long available(String key, BucketSpec spec);

    /**
     * Holds every replica's requests to {@code source} back for {@code millis}: the upstream said its quota is
     * spent. Best effort (a lost pause only costs the other replicas one refused request each).
     */
    void pause(String source, long millis);

    /** How many replicas share the limits (the divisor of the degraded local buckets). */
    int replicas();
}
