package io.omnisql.ratelimit;

import java.util.Comparator;

/**
 * A token bucket's shape: it holds at most {@code burst} tokens and gains
 * {@code refillPerSecond} tokens per second; each request takes one token.
 */
public record BucketSpec(long burst, double refillPerSecond) {
    /** Orders specs by sustained rate, then by burst: the last is the most generous. */
    public static final Comparator<BucketSpec> GENEROSITY =
            Comparator.comparingDouble(BucketSpec::refillPerSecond).thenComparingLong(BucketSpec::burst);

    private static final double NANOS_PER_SECOND = 1e9;

    public BucketSpec {
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be a positive integer, got " + burst);
        }
        if (!(refillPerSecond > 0) || refillPerSecond > NANOS_PER_SECOND) {
            throw new IllegalArgumentException(
                    "refill_per_second must be a positive number of at most 1e9, got " + refillPerSecond);
        }
        // Buckets keep time as long nanoseconds; the time to fill must stay far from overflow.
        if (burst * (NANOS_PER_SECOND / refillPerSecond) > Long.MAX_VALUE / 4.0) {
            throw new IllegalArgumentException("burst / refill_per_second is too large (" + burst + " / "
                    + refillPerSecond + "): a bucket may take at most ~70 years to fill");
        }
    }

    /**
     * This bucket's share on one of {@code replicas} replicas deciding alone: burst and refill divided, the burst
     * rounded down (never below one token), so the replicas together never exceed this bucket.
     */
    public BucketSpec perReplica(int replicas) {
        if (replicas <= 1) {
            return this;
        }
        return new BucketSpec(Math.max(1, burst / replicas), refillPerSecond / replicas);
    }

    /** Nanoseconds between two tokens, rounded to a whole nanosecond (never below 1). */
    long intervalNanos() {
        return Math.max(1, Math.round(NANOS_PER_SECOND / refillPerSecond));
    }

    /** Nanoseconds an empty bucket takes to become full. */
    long fillNanos() {
        return burst * intervalNanos();
    }
}
